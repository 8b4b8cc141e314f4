import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpeechQueue, type QueueResult, type SpeechQueueEvent, type SpeechQueueOptions } from './speech-queue';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A companion whose every synthesis the test resolves by hand, and a player that records what it was given. */
function harness(options: Partial<SpeechQueueOptions<string>> = {}) {
  const syntheses: { text: string; signal: AbortSignal; result: Deferred<string> }[] = [];
  const scheduled: { audio: string; seq: number; started: Deferred<void>; ended: Deferred<void> }[] = [];
  const events: SpeechQueueEvent[] = [];
  const queue = new SpeechQueue<string>({
    synthesize(text, signal) {
      const result = deferred<string>();
      syntheses.push({ text, signal, result });
      return result.promise;
    },
    schedule(audio, seq) {
      const clip = { audio, seq, started: deferred<void>(), ended: deferred<void>() };
      scheduled.push(clip);
      return { started: clip.started.promise, ended: clip.ended.promise };
    },
    onEvent: (event) => events.push(event),
    ...options,
  });
  const synthesis = (text: string) => {
    const found = syntheses.find((s) => s.text === text);
    if (!found) throw new Error(`"${text}" was never sent for synthesis`);
    return found;
  };
  const clip = (seq: number) => {
    const found = scheduled.find((c) => c.seq === seq);
    if (!found) throw new Error(`sentence ${seq} was never scheduled`);
    return found;
  };
  const play = async (seq: number) => {
    clip(seq).started.resolve();
    clip(seq).ended.resolve();
    await settle();
  };
  return { queue, syntheses, scheduled, events, synthesis, clip, play };
}

/** Lets every promise callback that is already due run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Whether a promise has settled, without waiting for it. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await settle();
  return done;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SpeechQueue', () => {
  it('keeps the order behind a slow companion: a fast second sentence waits for the slow first', async () => {
    const { queue, synthesis, scheduled } = harness();
    queue.push('First, slow.');
    queue.push('Second, fast.');
    synthesis('Second, fast.').result.resolve('audio-2');
    await settle();
    expect(scheduled).toEqual([]);

    synthesis('First, slow.').result.resolve('audio-1');
    await settle();
    expect(scheduled.map((c) => [c.seq, c.audio])).toEqual([
      [0, 'audio-1'],
      [1, 'audio-2'],
    ]);
  });

  it('hands the next sentence to the player once synthesised, without waiting for the current one to end', async () => {
    const { queue, synthesis, scheduled, clip } = harness();
    queue.push('One.');
    queue.push('Two.');
    synthesis('One.').result.resolve('a1');
    await settle();
    clip(0).started.resolve();
    synthesis('Two.').result.resolve('a2');
    await settle();
    // Sentence 0 is still playing; the player already holds sentence 1 to play gaplessly after it.
    expect(scheduled.map((c) => c.seq)).toEqual([0, 1]);
  });

  it('starts the first audio as soon as the first sentence is synthesised and never stalls beyond synthesis time', async () => {
    vi.useFakeTimers();
    const playMs = 2000;
    const synthMs = [400, 400, 400, 400, 900];
    const scheduledAt: number[] = [];
    let playerFreeAt = 0;
    const playedAt: { start: number; end: number }[] = [];
    const { queue, events } = harness({
      now: () => Date.now(),
      synthesize: (text) => new Promise((resolve) => setTimeout(() => resolve(text), synthMs[Number(text)] ?? 0)),
      // A gapless player: each clip starts when the previous one ends, or now if the player is idle.
      schedule(_audio, seq) {
        scheduledAt[seq] = Date.now();
        const start = Math.max(Date.now(), playerFreeAt);
        playerFreeAt = start + playMs;
        playedAt[seq] = { start, end: playerFreeAt };
        const wait = (t: number) => new Promise<void>((resolve) => setTimeout(resolve, t - Date.now()));
        return { started: wait(start), ended: wait(playerFreeAt) };
      },
    });
    const t0 = Date.now();
    // The chat stream completes a sentence every 100 ms.
    for (let i = 0; i < synthMs.length; i++) {
      queue.push(String(i));
      await vi.advanceTimersByTimeAsync(100);
    }
    queue.end();
    await vi.advanceTimersByTimeAsync(20_000);
    const result = await queue.finished;

    const synthStarts = events.filter((e) => e.type === 'synth-start').map((e) => e.at - t0);
    // Look-ahead 2: sentences 0–2 go to the companion as they arrive, 3 when 0 has finished playing, 4 when 1 has.
    expect(synthStarts).toEqual([0, 100, 200, 2400, 4400]);
    expect(scheduledAt.map((t) => t - t0)).toEqual([400, 500, 600, 2800, 5300]);
    expect(playedAt[0]?.start).toBe(t0 + 400);
    for (let i = 1; i < playedAt.length; i++) expect(playedAt[i]?.start).toBe(playedAt[i - 1]?.end);
    expect(events.filter((e) => e.type === 'synth-done').map((e) => e.ms)).toEqual(synthMs);
    expect(result).toEqual({ status: 'done', heard: [0, 1, 2, 3, 4], unplayed: [] });
  });

  it('never synthesises more than `lookahead` sentences ahead of the one playing', async () => {
    const { queue, syntheses, synthesis, play } = harness({ lookahead: 2 });
    for (const text of ['a', 'b', 'c', 'd', 'e', 'f']) queue.push(text);
    expect(syntheses.map((s) => s.text)).toEqual(['a', 'b', 'c']);
    for (const text of ['a', 'b', 'c']) synthesis(text).result.resolve(text);
    await settle();
    expect(syntheses).toHaveLength(3);
    await play(0);
    expect(syntheses.map((s) => s.text)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('synthesises strictly one at a time with a look-ahead of 0', async () => {
    const { queue, syntheses, synthesis, play } = harness({ lookahead: 0 });
    queue.push('a');
    queue.push('b');
    expect(syntheses.map((s) => s.text)).toEqual(['a']);
    synthesis('a').result.resolve('a');
    await settle();
    expect(syntheses).toHaveLength(1);
    await play(0);
    expect(syntheses.map((s) => s.text)).toEqual(['a', 'b']);
  });

  it('stop() aborts every pending synthesis at once and nothing is scheduled afterwards', async () => {
    const { queue, syntheses, synthesis, scheduled, clip } = harness({ lookahead: 3 });
    for (const text of ['a', 'b', 'c', 'd']) queue.push(text);
    synthesis('a').result.resolve('a');
    await settle();
    clip(0).started.resolve();
    synthesis('b').result.resolve('b');
    await settle();

    const stopped = queue.stop();
    expect(stopped).toEqual({ heard: [0], unheard: [1, 2, 3] });
    expect(syntheses.filter((s) => s.signal.aborted).map((s) => s.text)).toEqual(['c', 'd']);

    // A synthesis that lands after the barge-in is stale and must never play.
    synthesis('c').result.resolve('c');
    synthesis('d').result.reject(new DOMException('aborted', 'AbortError'));
    expect(queue.push('e')).toBe(-1);
    await settle();
    expect(scheduled.map((c) => c.seq)).toEqual([0, 1]);
    expect(syntheses).toHaveLength(4);
    expect(await queue.finished).toEqual({
      status: 'stopped',
      heard: [0],
      unplayed: [
        { seq: 1, text: 'b' },
        { seq: 2, text: 'c' },
        { seq: 3, text: 'd' },
      ],
    });
  });

  it('reports a failed synthesis with the texts not played, after the earlier sentences have played', async () => {
    const { queue, synthesis, syntheses, scheduled, events, play } = harness();
    queue.push('a');
    queue.push('b');
    queue.push('c');
    const companionDown = new Error('companion unreachable');
    synthesis('b').result.reject(companionDown);
    await settle();
    expect(synthesis('c').signal.aborted).toBe(true);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ seq: 1, text: 'b', error: companionDown });

    synthesis('a').result.resolve('a');
    synthesis('c').result.resolve('c');
    // The rest of the reply still streams in; it is kept for the fallback voice, not synthesised.
    expect(queue.push('d')).toBe(3);
    queue.end();
    await settle();
    expect(scheduled.map((c) => c.seq)).toEqual([0]);
    expect(syntheses.map((s) => s.text)).toEqual(['a', 'b', 'c']);
    // The fallback must not talk over sentence 0.
    expect(await isSettled(queue.finished)).toBe(false);

    await play(0);
    const result: QueueResult = await queue.finished;
    expect(result).toEqual({
      status: 'failed',
      heard: [0],
      failedAt: { seq: 1, text: 'b', error: companionDown },
      unplayed: [
        { seq: 1, text: 'b' },
        { seq: 2, text: 'c' },
        { seq: 3, text: 'd' },
      ],
    });
  });

  it('fails at the sentence the player could not take', async () => {
    const { queue, synthesis } = harness({
      schedule: () => {
        throw new Error('audio context closed');
      },
    });
    queue.push('a');
    queue.end();
    synthesis('a').result.resolve('a');
    const result = await queue.finished;
    expect(result.status).toBe('failed');
    expect(result.failedAt?.seq).toBe(0);
  });

  it('resolves `finished` only after end() and the last sentence has ended', async () => {
    const { queue, synthesis, play } = harness();
    queue.push('a');
    synthesis('a').result.resolve('a');
    await settle();
    await play(0);
    expect(await isSettled(queue.finished)).toBe(false);

    queue.push('b');
    queue.end();
    expect(queue.push('late')).toBe(-1);
    synthesis('b').result.resolve('b');
    await settle();
    expect(await isSettled(queue.finished)).toBe(false);
    await play(1);
    expect(await queue.finished).toEqual({ status: 'done', heard: [0, 1], unplayed: [] });
  });

  it('finishes at once when a reply had no sentences', async () => {
    const { queue } = harness();
    queue.end();
    expect(await queue.finished).toEqual({ status: 'done', heard: [], unplayed: [] });
  });

  it('reports events in the order a listener hears them', async () => {
    const { queue, synthesis, events, play } = harness();
    queue.push('a');
    queue.push('b');
    synthesis('b').result.resolve('b');
    synthesis('a').result.resolve('a');
    await settle();
    await play(0);
    await play(1);
    const heardOrder = events
      .filter((e) => e.type === 'started' || e.type === 'ended')
      .map((e) => `${e.type}:${e.seq}`);
    expect(heardOrder).toEqual(['started:0', 'ended:0', 'started:1', 'ended:1']);
  });
});
