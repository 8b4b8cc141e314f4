import { describe, expect, it } from 'vitest';
import { readPcmWav, wavSampleRate } from './wav-pcm';
import { wav } from '../core/testing/wav';

describe('readPcmWav', () => {
  it('gives the samples of a mono 16-bit clip, scaled to -1…1, at its own rate', () => {
    const pcm = readPcmWav(wav([0, 16_384, -32_768, 32_767], { rate: 22_050 }))!;
    expect(pcm.sampleRate).toBe(22_050);
    expect(pcm.frames).toBe(4);
    expect([...pcm.channelData[0]!]).toEqual([0, 0.5, -1, 32_767 / 32_768]);
  });

  it('with a rate asked for, gives nothing for a clip at another rate (the browser decodes that one)', () => {
    const clip = wav([1, 2, 3], { rate: 24_000 });
    expect(readPcmWav(clip, 22_050)).toBeUndefined();
    expect(readPcmWav(clip, 24_000)?.frames).toBe(3);
  });

  it('deinterleaves a stereo clip', () => {
    const pcm = readPcmWav(wav([1_000, -1_000, 2_000, -2_000], { channels: 2, rate: 24_000 }))!;
    expect(pcm.channels).toBe(2);
    expect(pcm.frames).toBe(2);
    expect([...pcm.channelData[0]!].map((s) => Math.round(s * 32_768))).toEqual([1_000, 2_000]);
    expect([...pcm.channelData[1]!].map((s) => Math.round(s * 32_768))).toEqual([-1_000, -2_000]);
  });

  it('skips chunks before the samples (LIST tags, odd-sized chunks with their pad byte)', () => {
    const pcm = readPcmWav(
      wav([5, 6, 7], {
        extra: [
          { id: 'LIST', bytes: 26 },
          { id: 'junk', bytes: 3 },
        ],
      }),
    )!;
    expect([...pcm.channelData[0]!].map((s) => Math.round(s * 32_768))).toEqual([5, 6, 7]);
  });

  it('reads a streamed clip whose length was not known when its header was written', () => {
    for (const size of [0, 0xffffffff]) {
      const pcm = readPcmWav(wav([1, 2, 3, 4, 5], { size }))!;
      expect(pcm.frames).toBe(5);
    }
  });

  it('leaves any other clip to the browser’s decoder', () => {
    expect(readPcmWav(wav([1, 2], { bits: 24 }))).toBeUndefined();
    expect(readPcmWav(wav([1, 2], { format: 3 }))).toBeUndefined();
    expect(
      readPcmWav(new TextEncoder().encode('ID3\u0004 an mp3 of the teacher’s sentence, forty bytes').buffer),
    ).toBeUndefined();
    expect(readPcmWav(wav([1, 2]).slice(0, 30))).toBeUndefined();
  });
});

describe('wavSampleRate', () => {
  it('reads the rate from the header alone', () => {
    expect(wavSampleRate(wav([], { rate: 16_000 }))).toBe(16_000);
    expect(wavSampleRate(new ArrayBuffer(100))).toBeUndefined();
  });
});
