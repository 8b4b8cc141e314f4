import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { OFFSCREEN_CLOSING } from './messages';

const ensured = vi.fn(async () => undefined);
vi.mock('./messages', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./messages')>()),
  sendMessage: vi.fn(async (type: string) => {
    if (type === 'background:ensure-offscreen') return ensured();
    throw new Error(`unexpected ${type}`);
  }),
}));

const { createPanelLink, RecorderUnavailableError } = await import('./panel-link');

/** A port whose other end greets at once, like the offscreen document's watchPanels. */
function greetingPort() {
  const listeners: Array<(message: unknown) => void> = [];
  const port = {
    onMessage: { addListener: (listener: (message: unknown) => void) => listeners.push(listener) },
    onDisconnect: { addListener: vi.fn() },
    disconnect: vi.fn(),
  };
  setTimeout(() => listeners.forEach((listener) => listener('hello')), 0);
  return port;
}

beforeEach(() => {
  fakeBrowser.reset();
  ensured.mockClear();
  chrome.runtime.connect = vi.fn(() => greetingPort()) as unknown as typeof chrome.runtime.connect;
});

describe('the panel’s link to the offscreen document', () => {
  it('makes sure the document exists and is connected before each request', async () => {
    const link = createPanelLink('p1');
    expect(await link.call(async () => 'answer')).toBe('answer');
    expect(ensured).toHaveBeenCalledTimes(1);
    expect(chrome.runtime.connect).toHaveBeenCalledWith({ name: 'aitalk-panel:p1' });
    // Connected: later requests (a barge-in, each sentence) go straight to the document.
    await link.call(async () => 'again');
    expect(ensured).toHaveBeenCalledTimes(1);
    expect(chrome.runtime.connect).toHaveBeenCalledTimes(1);
  });

  it('a document that was closing is asked for again, and the request goes through the second time', async () => {
    const link = createPanelLink('p1');
    const request = vi.fn().mockRejectedValueOnce(new Error(OFFSCREEN_CLOSING)).mockResolvedValueOnce('recording');
    expect(await link.call(request)).toBe('recording');
    expect(request).toHaveBeenCalledTimes(2);
    expect(ensured).toHaveBeenCalledTimes(2);
    expect(chrome.runtime.connect).toHaveBeenCalledTimes(2);
  });

  it('a document that stays unreachable is reported in the learner’s words, not Chrome’s', async () => {
    const link = createPanelLink('p1');
    const request = vi
      .fn()
      .mockRejectedValue(new Error('Could not establish connection. Receiving end does not exist.'));
    const error = await link.call(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecorderUnavailableError);
    expect((error as Error).message).not.toMatch(/Receiving end/);
    expect((error as Error).message).toMatch(/Press Talk to try again/);
  });

  it('passes any other error through untouched, without retrying', async () => {
    const link = createPanelLink('p1');
    const request = vi.fn().mockRejectedValue(new Error('The recording failed: disk full'));
    await expect(link.call(request)).rejects.toThrow('disk full');
    expect(request).toHaveBeenCalledTimes(1);
  });
});
