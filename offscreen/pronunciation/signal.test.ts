import { describe, expect, it } from 'vitest';
import { highBandDb, levelStats, resampleTo16k, SAMPLE_RATE, SILENCE_DB } from './signal';

function tone(hz: number, seconds: number, amplitude: number, rate = SAMPLE_RATE): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate),
  );
}

/** Root-mean-square level of the middle half, in dB (the ends are where the filter runs off the edge). */
function middleDb(pcm: Float32Array): number {
  const middle = pcm.subarray(pcm.length / 4, (3 * pcm.length) / 4);
  return 10 * Math.log10(middle.reduce((sum, x) => sum + x * x, 0) / middle.length);
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('levels', () => {
  it('a second of silence around half a second of voice: speech is the half second, the peak its level', () => {
    const stats = levelStats(concat(new Float32Array(8_000), tone(200, 0.5, 0.5), new Float32Array(8_000)));
    expect(stats.durationS).toBeCloseTo(1.5, 5);
    expect(stats.speechS).toBeCloseTo(0.5, 1);
    expect(stats.peakDb).toBeCloseTo(10 * Math.log10(0.125), 0);
  });

  it('a microphone left on in a quiet room peaks below the silence level', () => {
    const hiss = Float32Array.from({ length: SAMPLE_RATE }, (_, i) => 0.001 * Math.sin(i * 12.9898) * 0.5);
    expect(levelStats(hiss).peakDb).toBeLessThan(SILENCE_DB);
  });
});

describe('energy above 4 kHz', () => {
  it('is high for a hiss like /s/ and far lower for the same loudness below 4 kHz', () => {
    const vowel = tone(300, 0.3, 0.5);
    const s = tone(6_000, 0.1, 0.1);
    const low = tone(1_500, 0.1, 0.1);
    const pcm = concat(vowel, s, low);
    const { loudEnergy } = levelStats(pcm);
    const sDb = highBandDb(pcm, 0.3, 0.4, loudEnergy);
    const lowDb = highBandDb(pcm, 0.4, 0.5, loudEnergy);
    // 0.1 against 0.5: 14 dB below the vowel.
    expect(sDb).toBeCloseTo(-14, 0);
    expect(lowDb).toBeLessThan(sDb - 40);
  });
});

describe('resampling to 16 kHz', () => {
  it.each([48_000, 44_100])(
    'from %i Hz keeps a 1 kHz tone at its level and pitch, one second in one second out',
    (rate) => {
      const out = resampleTo16k(tone(1_000, 1, 0.5, rate), rate);
      expect(out.length).toBeCloseTo(SAMPLE_RATE, -1);
      expect(middleDb(out)).toBeCloseTo(10 * Math.log10(0.125), 1);
      const expected = tone(1_000, 1, 0.5);
      const at = SAMPLE_RATE / 2;
      for (let i = at; i < at + 40; i++) expect(out[i]).toBeCloseTo(expected[i]!, 2);
    },
  );

  it('removes what 16 kHz cannot hold (a 12 kHz tone would fold back onto 4 kHz, the /s/ band)', () => {
    const out = resampleTo16k(tone(12_000, 1, 0.5, 48_000), 48_000);
    expect(middleDb(out)).toBeLessThan(10 * Math.log10(0.125) - 50);
  });
});
