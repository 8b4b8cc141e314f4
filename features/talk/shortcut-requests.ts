import { onMessage } from '@/core/messages';
import { pageRequestItem, talkRequestItem, type PageRequest, type TalkRequest } from '@/features/settings/settings';

/** A request left in storage.session longer ago than this was for a panel that never opened. */
const STALE_MS = 5_000;

interface Request {
  id: string;
  at: number;
  windowId?: number;
}

/**
 * Requests from the service worker (a shortcut press, a page read), pressed in any tab. The
 * worker sends each to the open panel directly, and also leaves it in storage.session for a
 * panel that the same press is only just opening; each is handled once, by the panel of the
 * window it was made in.
 */
function watchRequests<R extends Request>(
  windowId: number | undefined,
  subscribe: (take: (request: R) => void) => () => void,
  item: { watch(cb: (value: R | null) => void): () => void; getValue(): Promise<R | null> },
  onRequest: (request: R) => void,
): () => void {
  let last: string | null = null;
  const take = (request: R | null): void => {
    if (!request || request.id === last) return;
    if (request.windowId !== undefined && windowId !== undefined && request.windowId !== windowId) return;
    last = request.id;
    onRequest(request);
  };
  const stopDirect = subscribe(take);
  const stopStored = item.watch(take);
  void item.getValue().then(
    (pending) => {
      if (pending && Date.now() - pending.at < STALE_MS) take(pending);
    },
    (error: unknown) => console.warn('AITalk: could not read a pending request from the service worker', error),
  );
  return () => {
    stopDirect();
    stopStored();
  };
}

/** The talk shortcut. */
export function watchTalkRequests(windowId: number | undefined, onPress: () => void): () => void {
  return watchRequests<TalkRequest>(
    windowId,
    (take) => onMessage('sidepanel:talk-request', ({ data }) => take(data)),
    talkRequestItem,
    () => onPress(),
  );
}

/** The page shortcut and the page menu items: a page (or why none) to bring into the conversation. */
export function watchPageRequests(windowId: number | undefined, onPage: (request: PageRequest) => void): () => void {
  return watchRequests<PageRequest>(
    windowId,
    (take) => onMessage('sidepanel:page-request', ({ data }) => take(data)),
    pageRequestItem,
    onPage,
  );
}
