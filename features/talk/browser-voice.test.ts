import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserVoice } from './browser-voice';

/** speechSynthesis as a system with one network voice and, optionally, one it speaks itself. */
function fakeSynthesis(voices: Partial<SpeechSynthesisVoice>[]) {
  const spoken: { text: string; voice: SpeechSynthesisVoice | null }[] = [];
  vi.stubGlobal('speechSynthesis', {
    getVoices: () => voices,
    cancel: () => undefined,
    speak(utterance: SpeechSynthesisUtterance) {
      spoken.push({ text: utterance.text, voice: utterance.voice });
      queueMicrotask(() => utterance.onend?.({} as SpeechSynthesisEvent));
    },
  });
  vi.stubGlobal(
    'SpeechSynthesisUtterance',
    class {
      lang = '';
      rate = 1;
      voice: SpeechSynthesisVoice | null = null;
      onend: ((event: SpeechSynthesisEvent) => void) | null = null;
      onerror: (() => void) | null = null;
      constructor(readonly text: string) {}
    },
  );
  return spoken;
}

const NETWORK = { name: 'Google US English', lang: 'en-US', localService: false };
const SYSTEM = { name: 'eSpeak English', lang: 'en-us', localService: true };

describe('BrowserVoice', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** Speaks the texts with a voice made with `localOnly`; resolves once its queue has run dry. */
  function speakAll(texts: string[], localOnly?: () => boolean): Promise<void> {
    return new Promise((resolve) =>
      new BrowserVoice(() => 1, resolve, localOnly).say(texts.map((text, seq) => ({ seq, text }))),
    );
  }

  it('when nothing may leave the computer, speaks only with a voice the system speaks itself', async () => {
    const spoken = fakeSynthesis([NETWORK, SYSTEM]);
    await speakAll(['Hello there.', 'How are you?'], () => true);
    expect(spoken.map((s) => [s.text, s.voice?.name])).toEqual([
      ['Hello there.', 'eSpeak English'],
      ['How are you?', 'eSpeak English'],
    ]);
  });

  it('with only network voices and nothing allowed to leave, says nothing aloud and still finishes', async () => {
    const spoken = fakeSynthesis([NETWORK]);
    await speakAll(['Hello there.'], () => true);
    expect(spoken).toEqual([]);
  });

  it('otherwise leaves the choice of voice to the browser, as before', async () => {
    const spoken = fakeSynthesis([NETWORK, SYSTEM]);
    await speakAll(['Hello there.']);
    expect(spoken).toEqual([{ text: 'Hello there.', voice: null }]);
  });
});
