import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioPlayer } from './audio-player';
import { TeacherVoice } from './teacher-voice';
import { FakeContext } from '../core/testing/fakes';
import type { CompanionTarget, SpeechEvent } from '../core/messages';
import { CLAUSE_PAUSE_MS } from '../common/sentence-splitter';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const companion: CompanionTarget = { url: 'http://127.0.0.1:5123/', token: 'secret', voice: 'jenny', speed: 1.1 };

function speechResponse(text: string, duration: number): Response {
  return new Response(JSON.stringify([duration, text]), { status: 200, headers: { 'Content-Type': 'audio/wav' } });
}

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
