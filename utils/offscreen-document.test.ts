import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeOffscreenDocumentIfIdle, ensureOffscreenDocument } from './offscreen-document';

/** A stand-in for the Chrome-only APIs (fakeBrowser has no offscreen or getContexts). */
function fakeChrome() {
  let open = false;
  const createDocument = vi.fn(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (open) throw new Error('Only a single offscreen document may be created.');
    open = true;
  });
  const closeDocument = vi.fn(async () => {
    open = false;
  });
  const api = {
    runtime: {
      ContextType: { OFFSCREEN_DOCUMENT: 'OFFSCREEN_DOCUMENT' },
      getURL: (path: string) => `chrome-extension://id/${path}`,
      getContexts: vi.fn(async () => (open ? [{ contextType: 'OFFSCREEN_DOCUMENT' }] : [])),
    },
    offscreen: { Reason: { USER_MEDIA: 'USER_MEDIA', AUDIO_PLAYBACK: 'AUDIO_PLAYBACK' }, createDocument, closeDocument },
  };
  return { api, createDocument, closeDocument, isOpen: () => open };
}

let fake: ReturnType<typeof fakeChrome>;
beforeEach(() => {
  fake = fakeChrome();
  vi.stubGlobal('chrome', fake.api);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the offscreen document', () => {
  it('is created once when the shortcut and the Talk button race', async () => {
    await Promise.all([ensureOffscreenDocument(), ensureOffscreenDocument(), ensureOffscreenDocument()]);
    expect(fake.createDocument).toHaveBeenCalledTimes(1);
    expect(fake.isOpen()).toBe(true);
  });

  it('is found again after the service worker restarted, instead of created twice', async () => {
    await ensureOffscreenDocument();
    // A restarted worker has lost every variable; only getContexts knows the document exists.
    await ensureOffscreenDocument();
    expect(fake.createDocument).toHaveBeenCalledTimes(1);
  });

  it('asks for the microphone and for audio playback', async () => {
    await ensureOffscreenDocument();
    expect(fake.createDocument).toHaveBeenCalledWith(
      expect.objectContaining({ url: 'offscreen.html', reasons: ['USER_MEDIA', 'AUDIO_PLAYBACK'] }),
    );
  });

  it('is closed when idle, but not while the learner is talking or the teacher speaking', async () => {
    await ensureOffscreenDocument();
    expect(await closeOffscreenDocumentIfIdle(async () => true)).toBe(false);
    expect(fake.isOpen()).toBe(true);
    expect(await closeOffscreenDocumentIfIdle(async () => false)).toBe(true);
    expect(fake.isOpen()).toBe(false);
  });
});
