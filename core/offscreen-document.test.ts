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
    offscreen: {
      Reason: { USER_MEDIA: 'USER_MEDIA', AUDIO_PLAYBACK: 'AUDIO_PLAYBACK' },
      createDocument,
      closeDocument,
    },
  };
  return { api, createDocument, closeDocument, isOpen: () => open };
}

let fake: ReturnType<typeof fakeChrome>;
/** What the document is told when a close it agreed to fails. */
const stayOpen = async (): Promise<void> => undefined;
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
    // A restarted worker is a fresh copy of this module: it has lost every variable, and only
    // getContexts knows the document exists.
    vi.resetModules();
    const restarted = await import('./offscreen-document');
    await restarted.ensureOffscreenDocument();
    expect(fake.createDocument).toHaveBeenCalledTimes(1);
    expect(fake.isOpen()).toBe(true);
  });

  it('asks for the microphone and for audio playback', async () => {
    await ensureOffscreenDocument();
    expect(fake.createDocument).toHaveBeenCalledWith(
      expect.objectContaining({ url: 'offscreen.html', reasons: ['USER_MEDIA', 'AUDIO_PLAYBACK'] }),
    );
  });

  it('is closed when it agrees it is idle, but not while the learner is talking or the teacher speaking', async () => {
    await ensureOffscreenDocument();
    expect(await closeOffscreenDocumentIfIdle(async () => false, stayOpen)).toBe(false);
    expect(fake.isOpen()).toBe(true);
    expect(await closeOffscreenDocumentIfIdle(async () => true, stayOpen)).toBe(true);
    expect(fake.isOpen()).toBe(false);
  });

  it('a turn asking for the document while it is being closed gets a new one, never the one going away', async () => {
    await ensureOffscreenDocument();
    let agree!: (yes: boolean) => void;
    const closing = closeOffscreenDocumentIfIdle(() => new Promise<boolean>((resolve) => (agree = resolve)), stayOpen);
    // The panel's Talk press lands between the document's "yes, I am idle" and the close.
    await vi.waitFor(() => expect(agree).toBeDefined());
    const forTurn = ensureOffscreenDocument();
    agree(true);
    expect(await closing).toBe(true);
    await forTurn;
    expect(fake.closeDocument).toHaveBeenCalledTimes(1);
    expect(fake.createDocument).toHaveBeenCalledTimes(2);
    expect(fake.isOpen()).toBe(true);
  });

  it('a close that fails does not stop the next turn from getting its document', async () => {
    await ensureOffscreenDocument();
    await expect(
      closeOffscreenDocumentIfIdle(async () => {
        throw new Error('Receiving end does not exist');
      }, stayOpen),
    ).rejects.toThrow();
    await ensureOffscreenDocument();
    expect(fake.isOpen()).toBe(true);
  });
});
