import { describe, expect, it } from 'vitest';
import { activeLevel, mix, rms, scoreSentence } from './vad-scenes.ts';

const RATE = 48_000;
const tone = (ms: number, amplitude: number): Float32Array =>
  Float32Array.from({ length: (ms / 1000) * RATE }, (_, i) => amplitude * Math.sin((2 * Math.PI * 200 * i) / RATE));

describe('mix', () => {
  it('puts the noise the asked number of dB below the speech, around it as well as under it', () => {
    const speech = new Float32Array([...new Float32Array(RATE / 2), ...tone(1000, 0.2)]);
    const noise = Float32Array.from({ length: RATE }, (_, i) => (i % 7) / 7 - 0.43);
    const scene = mix(speech, noise, RATE, { snrDb: 10, leadMs: 500, tailMs: 1000 });
    expect(scene.length).toBe(speech.length + RATE / 2 + RATE);
    const noiseOnly = scene.subarray(0, RATE / 2);
    const snr = 20 * Math.log10(activeLevel(speech, RATE) / rms(noiseOnly));
    expect(snr).toBeCloseTo(10, 0);
    expect(rms(scene.subarray(scene.length - RATE / 2))).toBeCloseTo(rms(noiseOnly), 2);
  });

  it('leaves digital silence around the speech when there is no noise', () => {
    const scene = mix(tone(100, 0.5), new Float32Array(0), RATE, { snrDb: null, leadMs: 100, tailMs: 100 });
    expect(rms(scene.subarray(0, RATE / 10))).toBe(0);
    expect(rms(scene.subarray(RATE / 10, RATE / 5))).toBeGreaterThan(0.3);
  });
});

describe('scoreSentence', () => {
  const speech = { speechStartMs: 1000, speechEndMs: 3000 };

  it('measures the end of turn from the end of the speech', () => {
    expect(
      scoreSentence(
        [
          { type: 'start', atMs: 1100 },
          { type: 'end', atMs: 3600 },
        ],
        speech,
      ),
    ).toEqual({
      falseStart: false,
      heard: true,
      cutEarly: false,
      endDelayMs: 600,
    });
  });

  it('calls a turn that ends mid-sentence cut early, and a start before the speech false', () => {
    const score = scoreSentence(
      [
        { type: 'start', atMs: 400 },
        { type: 'end', atMs: 2000 },
        { type: 'start', atMs: 2200 },
        { type: 'end', atMs: 3700 },
      ],
      speech,
    );
    expect(score).toMatchObject({ falseStart: true, heard: true, cutEarly: true });
  });

  it('reports a turn that never ends as having no end delay', () => {
    expect(scoreSentence([{ type: 'start', atMs: 1100 }], speech).endDelayMs).toBeNaN();
  });
});
