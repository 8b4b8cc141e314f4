/**
 * Creates the offscreen document that records the microphone and plays the teacher's voice,
 * at most once: callers racing (the shortcut and the Talk button, say) share one in-flight
 * check-and-create. Its existence is read from runtime.getContexts, never from a variable alone,
 * because the service worker may have been restarted since the document was created.
 */
export const OFFSCREEN_PATH = 'offscreen.html';

let inFlight: Promise<void> | undefined;

export async function hasOffscreenDocument(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_PATH)],
  });
  return contexts.length > 0;
}

export function ensureOffscreenDocument(): Promise<void> {
  inFlight ??= (async () => {
    if (await hasOffscreenDocument()) return;
    await chrome.offscreen.createDocument({
      url: OFFSCREEN_PATH,
      reasons: [chrome.offscreen.Reason.USER_MEDIA, chrome.offscreen.Reason.AUDIO_PLAYBACK],
      justification: 'Records the learner speaking and plays the teacher’s spoken reply.',
    });
  })().finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

/** Closes the document when it has been idle for a while, unless a turn started meanwhile. */
export async function closeOffscreenDocumentIfIdle(isBusy: () => Promise<boolean>): Promise<boolean> {
  if (inFlight || !(await hasOffscreenDocument()) || (await isBusy())) return false;
  await chrome.offscreen.closeDocument();
  return true;
}
