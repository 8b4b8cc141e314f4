import { onMessage } from '@/utils/messages';
import { talkRequestItem, type TalkRequest } from '@/utils/settings';

/** A request left in storage.session longer ago than this was for a panel that never opened. */
const STALE_MS = 5_000;

/**
 * The talk shortcut, pressed in any tab. The service worker sends the press to the open panel
 * directly, and also leaves it in storage.session for a panel that the same press is only just
 * opening; each press is handled once, by the panel of the window it was pressed in.
 */
export function watchTalkRequests(windowId: number | undefined, onPress: () => void): () => void {
  let last: string | null = null;
  const take = (request: TalkRequest | null): void => {
    if (!request || request.id === last) return;
    if (request.windowId !== undefined && windowId !== undefined && request.windowId !== windowId) return;
    last = request.id;
    onPress();
  };
  const stopDirect = onMessage('sidepanel:talk-request', ({ data }) => take(data));
  const stopStored = talkRequestItem.watch(take);
  void talkRequestItem.getValue().then(
    (pending) => {
      if (pending && Date.now() - pending.at < STALE_MS) take(pending);
    },
    (error: unknown) => console.warn('AITalk: could not read a pending shortcut press', error),
  );
  return () => {
    stopDirect();
    stopStored();
  };
}
