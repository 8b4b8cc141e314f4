import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BannerStore } from '../../panel/banner';
import type { PanelLink } from '@/core/panel-link';
import { fakeHistory, fakeSettings, fakeSpeaker, fakeSpeechSynthesis, flush, recordEvents } from './testing/turn-fakes';

/** The teacher's reply on its own: the stream, its sentences to the voice, the browser's voice, barge-in. */

/** The stream's tokens; each waits for `release` when `held`. */
let tokens: string[] = [];
let held = false;
let release: () => void = () => undefined;
vi.mock('./teacher-api', () => ({
  streamReply: vi.fn(
    async (_endpoint: unknown, _chat: unknown, onDelta: (text: string) => void, options: { signal?: AbortSignal }) => {
      for (const token of tokens) {
        if (held) await new Promise<void>((resolve) => (release = resolve));
        if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
        onDelta(token);
        await Promise.resolve();
      }
      return tokens.join('');
    },
  ),
}));

const { createTeacherReply } = await import('./teacher-reply');
const { createUnsavedMessages } = await import('./unsaved-messages');

const link = { panelId: 'p1', ensure: async () => undefined } as unknown as PanelLink;
const banner = { info: () => undefined } as unknown as BannerStore;

function setUp() {
  const history = fakeHistory();
  const voice = fakeSpeaker();
  const events = recordEvents();
  const reply = createTeacherReply({
    link,
    speaker: voice.speaker,
    history: history.store,
    settings: fakeSettings(),
    banner,
    unsaved: createUnsavedMessages(history.store, events.dispatch),
    dispatch: events.dispatch,
  });
  return { history, voice, events, reply };
}

let speech: ReturnType<typeof fakeSpeechSynthesis>;
beforeEach(() => {
  tokens = ['Hello ', 'there. ', 'What did ', 'you do?'];
  held = false;
  speech = fakeSpeechSynthesis();
  vi.stubGlobal('speechSynthesis', speech.synthesis);
  vi.stubGlobal('SpeechSynthesisUtterance', speech.Utterance);
});

describe('the teacher’s reply', () => {
  it('is shown as it streams, each sentence goes to the voice when complete, and the whole is kept', async () => {
    const { history, voice, events, reply } = setUp();
    await reply.ask('r1');
    expect(voice.queued.map((q) => q.text)).toEqual(['Hello there.', 'What did you do?']);
    expect(voice.queued.every((q) => q.turnId === 'r1')).toBe(true);
    expect(history.storedOf('r1')).toMatchObject({
      role: 'assistant',
      status: 'done',
      text: 'Hello there. What did you do?',
    });
    expect(events.events).toEqual([{ type: 'reply-streamed', replyId: 'r1', sentences: 2 }]);
  });

  it('sends a correction’s opening "You said:" to the voice on its own, so the teacher is heard sooner', async () => {
    tokens = ['You said: ', '“I go ', 'there yesterday.” ', 'We say: ', '“I went there.”'];
    const { voice, reply } = setUp();
    await reply.ask('r1');
    expect(voice.queued.map((q) => q.text)).toEqual([
      'You said:',
      '“I go there yesterday.”',
      'We say: “I went there.”',
    ]);
  });

  it('that cannot be written is still shown and spoken, and the machine hears it was not saved', async () => {
    const { history, voice, events, reply } = setUp();
    const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    history.failWrites((message) => (message.id === 'r1' ? full : null));
    await reply.ask('r1');
    expect(voice.queued.map((q) => q.text)).toEqual(['Hello there.', 'What did you do?']);
    expect(history.messages.value.find((m) => m.id === 'r1')).toMatchObject({ status: 'done' });
    expect(history.storedOf('r1')).toBeUndefined();
    expect(events.events).toEqual([
      { type: 'not-saved', messageId: 'r1', error: full },
      { type: 'reply-streamed', replyId: 'r1', sentences: 2 },
    ]);
  });

  it('reports its first audio and its end from the voice’s events', async () => {
    const { voice, events, reply } = setUp();
    await reply.ask('r1');
    voice.emit({ type: 'started', turnId: 'r1', seq: 0, at: 5 });
    voice.emit({ type: 'finished', turnId: 'r1', status: 'done', heard: [0, 1] });
    expect(events.events.slice(1)).toEqual([
      { type: 'reply-audible', replyId: 'r1' },
      { type: 'speech-finished', replyId: 'r1', status: 'done' },
    ]);
  });

  it('a failed stream keeps what arrived, marked failed, and offers Retry of the learner’s turn', async () => {
    const { history, events, reply } = setUp();
    history.messages.value = [
      { id: 'u1', conversationId: 'c1', role: 'user', text: 'Hi.', status: 'done', createdAt: 1, timings: {} },
    ];
    const { streamReply } = await import('./teacher-api');
    vi.mocked(streamReply).mockRejectedValueOnce(new Error('502 Bad Gateway'));
    await reply.ask('r1');
    expect(history.storedOf('r1')).toMatchObject({ status: 'failed', error: '502 Bad Gateway' });
    expect(events.events).toEqual([
      { type: 'reply-failed', replyId: 'r1', error: new Error('502 Bad Gateway'), retryMessageId: 'u1' },
    ]);
  });

  it('barge-in: the voice is silenced, the stream dropped, and what was heard is kept as the reply', async () => {
    const { history, voice, reply } = setUp();
    tokens = ['One here. ', 'Two here. ', 'Three here. ', 'Four here.'];
    held = true;
    const asked = reply.ask('r1');
    for (let i = 0; i < 3; i++) {
      release();
      await flush();
    }
    voice.emit({ type: 'started', turnId: 'r1', seq: 0, at: 5 });
    voice.emit({ type: 'ended', turnId: 'r1', seq: 0, at: 6 });
    voice.emit({ type: 'started', turnId: 'r1', seq: 1, at: 7 });
    voice.answerStopWith({ turnId: 'r1', heard: [0, 1] });
    await reply.interrupt('r1', true);
    release();
    await asked;
    expect(voice.stops).toBe(1);
    // The second sentence was cut off: it was heard (the teacher is told so), but not to its end.
    expect(history.storedOf('r1')).toMatchObject({
      status: 'interrupted',
      text: 'One here. Two here.',
      spokenWhole: 'One here.',
      fullText: 'One here. Two here. Three here. ',
    });
    // The dropped stream's later sentences never reach the voice.
    expect(voice.queued.map((q) => q.text)).toEqual(['One here.', 'Two here.', 'Three here.']);
    expect(voice.listening('r1')).toBe(false);
  });

  it('when the companion fails, the browser’s voice reads the sentences not heard, one after another, and then the reply ends', async () => {
    const { voice, events, reply } = setUp();
    await reply.ask('r1');
    voice.emit({ type: 'started', turnId: 'r1', seq: 0, at: 5 });
    voice.emit({
      type: 'failed',
      turnId: 'r1',
      seq: 1,
      message: 'The voice server at http://127.0.0.1:8730 cannot be reached.',
      unplayed: ['What did you do?'],
      companionUnreachable: true,
    });
    expect(events.events.at(-1)).toEqual({
      type: 'companion-failed',
      replyId: 'r1',
      unreachable: true,
      message: 'The voice server at http://127.0.0.1:8730 cannot be reached.',
    });
    reply.inBrowser('r1');
    expect(speech.spoken.map((u) => u.text)).toEqual(['What did you do?']);
    speech.finishOne();
    expect(events.events.at(-1)).toEqual({ type: 'speech-finished', replyId: 'r1', status: 'done' });
  });

  it('barge-in while the browser’s voice reads: the sentence it was cut off in is heard, not spoken whole', async () => {
    tokens = ['One here. ', 'Two here. ', 'Three here.'];
    const { history, voice, reply } = setUp();
    await reply.ask('r1');
    voice.emit({ type: 'started', turnId: 'r1', seq: 0, at: 5 });
    voice.emit({ type: 'ended', turnId: 'r1', seq: 0, at: 6 });
    voice.emit({
      type: 'failed',
      turnId: 'r1',
      seq: 1,
      message: 'The voice server at http://127.0.0.1:8730 cannot be reached.',
      unplayed: ['Two here.', 'Three here.'],
      companionUnreachable: true,
    });
    reply.inBrowser('r1');
    speech.finishOne();
    expect(speech.spoken.map((u) => u.text)).toEqual(['Two here.', 'Three here.']);
    // Chrome ends a cancelled utterance with an error event.
    speech.synthesis.cancel = () => void speech.spoken.at(-1)?.onerror?.();
    voice.answerStopWith({ turnId: 'r1', heard: [0] });
    await reply.interrupt('r1', true);
    expect(history.storedOf('r1')).toMatchObject({
      status: 'interrupted',
      text: 'One here. Two here. Three here.',
      spokenWhole: 'One here. Two here.',
    });
  });

  it('when the voice player cannot be reached at all, the machine hears that the companion failed', async () => {
    const { voice, events, reply } = setUp();
    voice.unreachable();
    await reply.ask('r1');
    await flush();
    expect(events.events).toContainEqual({
      type: 'companion-failed',
      replyId: 'r1',
      unreachable: false,
      message: 'AITalk could not reach its recorder.',
    });
  });
});
