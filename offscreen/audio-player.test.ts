import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioPlayer, memoryVoiceRate } from './audio-player';
import { FakeContext, clip, type Clip } from '../core/testing/fakes';
import { wav } from '../core/testing/wav';
import { readPcmWav } from './wav-pcm';

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
