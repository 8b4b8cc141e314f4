import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioPlayer, CompanionUnreachableError, TeacherVoice, fetchSpeech, memoryVoiceRate } from './audio-player';
import { FakeContext, clip, type Clip } from '../core/testing/fakes';
import { wav } from '../core/testing/wav';
import { readPcmWav } from './wav-pcm';
import type { CompanionTarget, SpeechEvent } from '../core/messages';
import { CLAUSE_PAUSE_MS } from '../common/sentence-splitter';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AudioPlayer', () => {
  it('can start its audio output ahead of the first clip, and uses that one output for every clip', async () => {
    const context = new FakeContext();
    const create = vi.fn(() => context);
    const player = new AudioPlayer(create);
    player.warm();
    expect(create).toHaveBeenCalledTimes(1);
    player.schedule(clip('one', 0.5));
    player.warm();
    expect(create).toHaveBeenCalledTimes(1);
    expect(context.sources).toHaveLength(1);
  });

  it('plays clips back to back with no gap, even when the next is scheduled mid-clip', async () => {
    const context = new FakeContext();
    const player = new AudioPlayer(() => context);
    const first = player.schedule(clip('one', 1.5));
    await vi.advanceTimersByTimeAsync(700);
    const second = player.schedule(clip('two', 0.8));
    const third = player.schedule(clip('three', 1));
    expect(context.sources.map((s) => s.startedAt)).toEqual([0, 1.5, 2.3]);

    let secondStarted = false;
    void second.started.then(() => (secondStarted = true));
    await vi.advanceTimersByTimeAsync(700);
    expect(secondStarted).toBe(false);
    await vi.advanceTimersByTimeAsync(150);
    expect(secondStarted).toBe(true);
    await first.ended;
    await vi.advanceTimersByTimeAsync(2000);
    await third.ended;
    expect(player.busy).toBe(false);
  });

  it('starts a clip at once when the previous one finished long ago', async () => {
    const context = new FakeContext();
    const player = new AudioPlayer(() => context);
    player.schedule(clip('one', 0.5));
    await vi.advanceTimersByTimeAsync(2000);
    player.schedule(clip('two', 0.5));
    expect(context.sources[1]!.startedAt).toBeCloseTo(2, 3);
  });

  it('stopAll silences the playing clip and every clip waiting for its turn', async () => {
    const context = new FakeContext();
    const player = new AudioPlayer(() => context);
    const handles = ['one', 'two', 'three'].map((text) => player.schedule(clip(text, 1)));
    await vi.advanceTimersByTimeAsync(500);
    player.stopAll();
    expect(player.busy).toBe(false);
    expect(context.sources.every((s) => s.stoppedAt !== undefined)).toBe(true);
    await Promise.all(handles.map((h) => h.ended));
    expect(context.audibleAt(0.6)).toEqual([]);
    expect(context.audibleAt(1.5)).toEqual([]);
    // The next reply starts now, not after the silenced clips would have ended.
    player.schedule(clip('new', 1));
    expect(context.sources[3]!.startedAt).toBeCloseTo(0.5, 3);
  });
});

const companion: CompanionTarget = { url: 'http://127.0.0.1:5123/', token: 'secret', voice: 'jenny', speed: 1.1 };

function speechResponse(text: string, duration: number): Response {
  return new Response(JSON.stringify([duration, text]), { status: 200, headers: { 'Content-Type': 'audio/wav' } });
}

describe('fetchSpeech', () => {
  it('asks the companion for WAV through the OpenAI speech endpoint', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => speechResponse('hi', 1));
    await fetchSpeech(companion, 'Hello there.', new AbortController().signal, fetchImpl);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:5123/v1/audio/speech');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer secret');
    expect(JSON.parse(String(init?.body))).toEqual({
      model: 'tts-1',
      input: 'Hello there.',
      voice: 'jenny',
      response_format: 'wav',
      speed: 1.1,
    });
  });

  it('leaves out an empty voice and token, so the companion uses its defaults', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => speechResponse('hi', 1));
    await fetchSpeech({ ...companion, voice: '', token: '' }, 'Hi.', new AbortController().signal, fetchImpl);
    const init = fetchImpl.mock.calls[0]![1];
    expect(new Headers(init?.headers).has('Authorization')).toBe(false);
    expect(JSON.parse(String(init?.body))).not.toHaveProperty('voice');
  });

  it('says the companion cannot be reached when the connection is refused', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchSpeech(companion, 'Hi.', new AbortController().signal, fetchImpl)).rejects.toBeInstanceOf(
      CompanionUnreachableError,
    );
  });

  it('passes on the companion’s own error message', async () => {
    const fetchImpl = vi.fn<typeof fetch>(
      async () => new Response(JSON.stringify({ error: { message: 'Unknown voice "x"' } }), { status: 400 }),
    );
    await expect(fetchSpeech(companion, 'Hi.', new AbortController().signal, fetchImpl)).rejects.toThrow(
      /400: Unknown voice "x"/,
    );
  });

  it('does not call an aborted request unreachable', async () => {
    const controller = new AbortController();
    const fetchImpl = vi.fn<typeof fetch>(async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    const failure = fetchSpeech(companion, 'Hi.', controller.signal, fetchImpl);
    await expect(failure).rejects.not.toBeInstanceOf(CompanionUnreachableError);
  });
});

/** A companion whose syntheses the test completes one by one, in any order. */
function controllableCompanion() {
  const pending = new Map<string, { resolve: (r: Response) => void; signal: AbortSignal }>();
  const fetchImpl = vi.fn<typeof fetch>((_url, init) => {
    const { input } = JSON.parse(String(init?.body)) as { input: string };
    return new Promise<Response>((resolve, reject) => {
      const signal = init!.signal!;
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      pending.set(input, { resolve, signal });
    });
  });
  const finish = (text: string, duration = 1): void => pending.get(text)!.resolve(speechResponse(text, duration));
  return { fetchImpl, finish, pending };
}

function voice(fetchImpl: typeof fetch) {
  const context = new FakeContext();
  const events: SpeechEvent[] = [];
  const teacher = new TeacherVoice(new AudioPlayer(() => context), (event) => events.push(event), fetchImpl);
  return { context, events, teacher };
}

describe('TeacherVoice', () => {
  it('plays a reply’s sentences in order and reports first audio, each sentence, and the end', async () => {
    const companionServer = controllableCompanion();
    const { context, events, teacher } = voice(companionServer.fetchImpl);
    expect(teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'One.', companion })).toBe(0);
    expect(teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'Two.', companion })).toBe(1);
    teacher.end('t1');
    companionServer.finish('Two.', 0.5);
    await vi.advanceTimersByTimeAsync(10);
    expect(context.sources).toHaveLength(0);
    companionServer.finish('One.', 1);
    await vi.advanceTimersByTimeAsync(10);
    expect(context.sources.map((s) => s.buffer?.text)).toEqual(['One.', 'Two.']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(events.map((e) => `${e.type}${'seq' in e ? e.seq : ''}`)).toEqual([
      'synthesized1',
      'synthesized0',
      'started0',
      'ended0',
      'started1',
      'ended1',
      'finished',
    ]);
    expect(events.at(-1)).toEqual({ type: 'finished', turnId: 't1', status: 'done', heard: [0, 1] });
    expect(teacher.speaking).toBe(false);
  });

  it('leaves a comma’s pause after a clause spoken on its own, and none between whole sentences', async () => {
    const companionServer = controllableCompanion();
    const { context, teacher } = voice(companionServer.fetchImpl);
    for (const text of ['That is a good start to your story,', 'and I like it.', 'Tell me more.'])
      teacher.speak({ panelId: 'panel-a', turnId: 't1', text, companion });
    teacher.end('t1');
    companionServer.finish('That is a good start to your story,', 1);
    companionServer.finish('and I like it.', 0.5);
    companionServer.finish('Tell me more.', 0.5);
    await vi.advanceTimersByTimeAsync(10);
    expect(context.sources.map((s) => s.startedAt)).toEqual([
      0,
      1 + CLAUSE_PAUSE_MS / 1000,
      1.5 + CLAUSE_PAUSE_MS / 1000,
    ]);
  });

  it('barge-in: silences the teacher at once and nothing of that reply plays later', async () => {
    const companionServer = controllableCompanion();
    const { context, events, teacher } = voice(companionServer.fetchImpl);
    for (const text of ['One.', 'Two.', 'Three.']) teacher.speak({ panelId: 'panel-a', turnId: 't1', text, companion });
    companionServer.finish('One.', 1);
    await vi.advanceTimersByTimeAsync(300);

    const reply = teacher.stop();
    expect(reply).toMatchObject({ turnId: 't1', heard: [0] });
    expect(context.sources[0]!.stoppedAt).toBeCloseTo(0.3, 2);
    expect(companionServer.pending.get('Two.')!.signal.aborted).toBe(true);
    // A synthesis that completes after the barge-in must not play.
    companionServer.pending.get('Three.')!.resolve(speechResponse('Three.', 1));
    // So must a late sentence of the interrupted reply, still arriving from the chat stream.
    expect(teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'Four.', companion })).toBe(-1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(context.sources.map((s) => s.buffer?.text)).toEqual(['One.']);
    expect(companionServer.fetchImpl).toHaveBeenCalledTimes(3);
    expect(events).toContainEqual({ type: 'finished', turnId: 't1', status: 'stopped', heard: [0] });
  });

  it('a stop from another panel leaves this panel’s reply playing', async () => {
    const companionServer = controllableCompanion();
    const { context, teacher } = voice(companionServer.fetchImpl);
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'One.', companion });
    companionServer.finish('One.', 1);
    await vi.advanceTimersByTimeAsync(100);
    expect(teacher.stop('panel-b')).toMatchObject({ turnId: null, heard: [] });
    expect(teacher.owner).toBe('panel-a');
    expect(context.sources[0]!.stoppedAt).toBeUndefined();
    expect(teacher.stop('panel-a')).toMatchObject({ turnId: 't1', heard: [0] });
  });

  it('a new reply silences the one still playing', async () => {
    const companionServer = controllableCompanion();
    const { context, teacher } = voice(companionServer.fetchImpl);
    teacher.speak({ panelId: 'panel-a', turnId: 'old', text: 'Old one.', companion });
    teacher.speak({ panelId: 'panel-a', turnId: 'old', text: 'Old two.', companion });
    companionServer.finish('Old one.', 2);
    await vi.advanceTimersByTimeAsync(500);
    teacher.speak({ panelId: 'panel-a', turnId: 'new', text: 'New one.', companion });
    companionServer.finish('Old two.', 1);
    companionServer.finish('New one.', 1);
    await vi.advanceTimersByTimeAsync(3000);
    // 'Old one.' would have run to 2 s; from the new reply on, only the new reply is heard.
    expect(context.audibleAt(0.4)).toEqual(['Old one.']);
    expect(context.audibleAt(0.6)).toEqual(['New one.']);
    expect(context.audibleAt(1.9)).toEqual([]);
    expect(context.sources.map((s) => s.buffer?.text)).toEqual(['Old one.', 'New one.']);
  });

  it('when the companion is down, hands the reply to another voice at once, while it is still streaming in', async () => {
    const refused = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    const { events, teacher } = voice(refused);
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'Hello.', companion });
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'How are you?', companion });
    await vi.advanceTimersByTimeAsync(10);
    // No end() yet: the chat stream has not finished, and the panel is told anyway.
    expect(events.find((e) => e.type === 'failed')).toMatchObject({
      type: 'failed',
      turnId: 't1',
      seq: 0,
      companionUnreachable: true,
    });
    // Sentences that arrive afterwards are refused: the panel speaks them with the rest.
    expect(teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'Tell me more.', companion })).toBe(-1);
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'stopped', heard: [] });
  });

  it('when a later sentence fails, the earlier ones still play and the rest is handed back at the end', async () => {
    const flaky = vi.fn<typeof fetch>(async (_url, init) => {
      const { input } = JSON.parse(String(init?.body)) as { input: string };
      if (input === 'First.') return speechResponse(input, 1);
      throw new TypeError('Failed to fetch');
    });
    const { events, teacher } = voice(flaky);
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'First.', companion });
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'Second.', companion });
    teacher.end('t1');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events.find((e) => e.type === 'started')).toMatchObject({ seq: 0 });
    expect(events.find((e) => e.type === 'failed')).toMatchObject({
      seq: 1,
      unplayed: ['Second.'],
      companionUnreachable: true,
    });
  });

  it('stops counting as speaking when a reply was abandoned without end (the panel closed mid-stream)', async () => {
    const companionServer = controllableCompanion();
    const { teacher } = voice(companionServer.fetchImpl);
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'One.', companion });
    companionServer.finish('One.', 1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teacher.speaking).toBe(true);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(teacher.speaking).toBe(false);
  });

  it('a companion error that is not a refused connection is reported as such', async () => {
    const broken = vi.fn<typeof fetch>(async () => new Response('boom', { status: 500 }));
    const { events, teacher } = voice(broken);
    teacher.speak({ panelId: 'panel-a', turnId: 't1', text: 'Hello.', companion });
    teacher.end('t1');
    await vi.advanceTimersByTimeAsync(10);
    expect(events.find((e) => e.type === 'failed')).toMatchObject({
      companionUnreachable: false,
      message: expect.stringMatching(/500/),
    });
  });
});

describe('AudioPlayer at the voice’s sample rate', () => {
  /** A context whose decoder reads the test's WAVs (a second of silence per 22,050 samples, say). */
  class WavContext extends FakeContext {
    override async decode(bytes: ArrayBuffer): Promise<Clip> {
      const pcm = readPcmWav(bytes);
      if (!pcm) throw new Error('not a WAV');
      return { text: `wav@${pcm.sampleRate}`, duration: pcm.frames / pcm.sampleRate };
    }
  }

  it('plays the next reply at the voice’s own rate: the output is replaced while silent, never mid-clip', async () => {
    const made: WavContext[] = [];
    const create = (rate?: number) => {
      const context = new WavContext(rate ?? 48_000);
      made.push(context);
      return context;
    };
    const memory = memoryVoiceRate();
    const player = new AudioPlayer(create, memory);
    player.warm();
    const playing = player.schedule(await player.decode(wav(new Array(22_050).fill(0), { rate: 22_050 })));
    expect(memory.load()).toBe(22_050);

    // The learner starts speaking while the teacher is still talking: the output stays.
    player.warm();
    expect(made.map((c) => c.sampleRate)).toEqual([48_000]);

    await vi.advanceTimersByTimeAsync(1_100);
    await playing.ended;
    player.warm();
    expect(made.map((c) => c.sampleRate)).toEqual([48_000, 22_050]);
    expect(made[0]!.closed).toBe(true);
    player.schedule(await player.decode(wav(new Array(100).fill(0), { rate: 22_050 })));
    expect(made[1]!.sources).toHaveLength(1);

    // A player made later (the document reopened) starts at the remembered rate.
    new AudioPlayer(create, memory).warm();
    expect(made.at(-1)!.sampleRate).toBe(22_050);
  });

  it('keeps its output for a voice whose clips are not WAV', async () => {
    const context = new FakeContext(48_000);
    const memory = memoryVoiceRate();
    const player = new AudioPlayer(() => context, memory);
    player.schedule(await player.decode(new TextEncoder().encode(JSON.stringify([0.5, 'mp3'])).buffer));
    expect(memory.load()).toBeUndefined();
  });
});
