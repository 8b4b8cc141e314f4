/**
 * Creates the offscreen document that records the microphone and plays the teacher's voice,
 * at most once, and closes it when idle. Creating and closing run one after another through one
 * chain: callers racing (the shortcut and the Talk button, say) share one check-and-create, and a
 * panel that asks for the document while it is being closed gets a new one after the close, never
 * the one going away. Its existence is read from runtime.getContexts, never from a variable alone,
 * because the service worker may have been restarted since the document was created.
 */
import { sendMessage } from './messages';

export const OFFSCREEN_PATH = 'offscreen.html';

let chain: Promise<unknown> = Promise.resolve();
let ensuring: Promise<void> | undefined;

/** Runs `step` after everything queued before it, whether that succeeded or not. */
function queue<T>(step: () => Promise<T>): Promise<T> {
  const run = chain.then(step, step);
  chain = run.catch(() => undefined);
  return run;
}

export async function hasOffscreenDocument(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_PATH)],
  });
  return contexts.length > 0;
}

export function ensureOffscreenDocument(): Promise<void> {
  ensuring ??= queue(async () => {
    if (await hasOffscreenDocument()) return;
    await chrome.offscreen.createDocument({
      url: OFFSCREEN_PATH,
      reasons: [chrome.offscreen.Reason.USER_MEDIA, chrome.offscreen.Reason.AUDIO_PLAYBACK],
      justification: 'Records the learner speaking and plays the teacher’s spoken reply.',
    });
  }).finally(() => {
    ensuring = undefined;
  });
  return ensuring;
}

/**
 * Closes the document if it agrees that it is idle. `agreeToClose` asks the document itself,
 * which from a yes on refuses new work: deciding and refusing in one step, in the document,
 * leaves no moment in which a turn could start on a document about to close. If the close then
 * fails, `closeFailed` tells the document, which would otherwise refuse the learner's next
 * presses until its agreement runs out.
 */
export function closeOffscreenDocumentIfIdle(
  agreeToClose: () => Promise<boolean>,
  closeFailed: () => Promise<void>,
): Promise<boolean> {
  return queue(async () => {
    if (!(await hasOffscreenDocument()) || !(await agreeToClose())) return false;
    try {
      await chrome.offscreen.closeDocument();
    } catch (error) {
      await closeFailed().catch(() => undefined);
      throw error;
    }
    return true;
  });
}

/** The service worker's side: the document is asked, closed, and told if the close failed. */
export function closeIdleOffscreenDocument(): Promise<boolean> {
  return closeOffscreenDocumentIfIdle(
    () => sendMessage('offscreen:prepare-close'),
    () => sendMessage('offscreen:close-failed'),
  );
}
