import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { OFFSCREEN_CLOSING } from '../core/messages';
import { FakeContext, FakeMicrophone } from '../core/testing/fakes';

type Handler = (message: { data: unknown }) => unknown;
const handlers = new Map<string, Handler>();
vi.mock('../core/messages', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../core/messages')>()),
  onMessage: (type: string, handler: Handler) => {
    handlers.set(type, handler);
    return () => handlers.delete(type);
  },
  // The background's requests reach this document's handlers; events for the panel go nowhere.
  sendMessage: vi.fn(async (type: string, data?: unknown) =>
    type.startsWith('offscreen:') ? handlers.get(type)?.({ data }) : undefined,
  ),
}));

const { startOffscreenService } = await import('./offscreen-service');
const { closeIdleOffscreenDocument } = await import('../core/offscreen-document');
const { AudioPlayer } = await import('./audio-player');

/** A request to the document, as the panel's sendMessage would deliver it. */
async function ask(type: string, data?: unknown): Promise<unknown> {
  const handler = handlers.get(type);
  if (!handler) throw new Error(`no handler for ${type}`);
  return handler({ data });
}

let service: { stop(): void };
beforeEach(() => {
  fakeBrowser.reset();
  vi.useFakeTimers();
  handlers.clear();
  (chrome.runtime as { onConnect: unknown }).onConnect = {
    addListener: vi.fn(),
  } as unknown as typeof chrome.runtime.onConnect;
  service = startOffscreenService({
    player: new AudioPlayer(() => new FakeContext()),
    recorderEnvironment: {
      openMicrophone: async () => new FakeMicrophone(),
      microphonePermission: async () => 'granted',
      saveRecording: async () => undefined,
    },
    fetchImpl: vi.fn<typeof fetch>(),
  });
});
afterEach(() => {
  service.stop();
  vi.useRealTimers();
});

const start = {
  panelId: 'p1',
  conversationId: 'c1',
  handsFree: false,
  vad: { endSilenceMs: 700, idleTimeoutMs: 20_000 },
};

describe('closing the idle offscreen document', () => {
  it('is refused while recording, and right after any activity', async () => {
    await ask('offscreen:start-recording', start);
    vi.advanceTimersByTime(120_000);
    expect(await ask('offscreen:prepare-close')).toBe(false);
    const cancelled = ask('offscreen:cancel-recording', { panelId: 'p1' });
    await vi.advanceTimersByTimeAsync(10);
    await cancelled;
    expect(await ask('offscreen:prepare-close')).toBe(false);
  });

  it('once agreed, refuses every new turn, so none can start on a document about to close', async () => {
    vi.advanceTimersByTime(61_000);
    expect(await ask('offscreen:prepare-close')).toBe(true);
    await expect(ask('offscreen:start-recording', start)).rejects.toThrow(OFFSCREEN_CLOSING);
    await expect(ask('offscreen:stop-speech', { panelId: 'p1' })).rejects.toThrow(OFFSCREEN_CLOSING);
  });

  /** The service worker's side, with Chrome's offscreen API: the document exists until it is closed. */
  function backgroundWith(closeDocument: () => Promise<void>): void {
    Object.assign(chrome.runtime, {
      ContextType: { OFFSCREEN_DOCUMENT: 'OFFSCREEN_DOCUMENT' },
      getContexts: async () => [{ contextType: 'OFFSCREEN_DOCUMENT' }],
    });
    (chrome as unknown as { offscreen: unknown }).offscreen = { closeDocument };
  }

  it('takes the next press when the close it agreed to fails', async () => {
    backgroundWith(async () => {
      throw new Error('Failed to close the offscreen document');
    });
    vi.advanceTimersByTime(61_000);
    await expect(closeIdleOffscreenDocument()).rejects.toThrow('Failed to close');
    expect(await ask('offscreen:start-recording', start)).toMatchObject({ status: 'recording' });
  });

  it('takes work again by itself when the close it agreed to never comes (the service worker was stopped)', async () => {
    vi.advanceTimersByTime(61_000);
    expect(await ask('offscreen:prepare-close')).toBe(true);
    await expect(ask('offscreen:start-recording', start)).rejects.toThrow(OFFSCREEN_CLOSING);
    vi.advanceTimersByTime(10_000);
    expect(await ask('offscreen:start-recording', start)).toMatchObject({ status: 'recording' });
  });
});
