/**
 * Measurements taken straight from the samples, before and beside the recogniser: how loud the recording is,
 * how much of it is speech, and how much of a sound's energy lies above 4 kHz.
 */

export const SAMPLE_RATE = 16_000;
const FRAME = 160; // 10 ms

export interface LevelStats {
  durationS: number;
  /** The loudest 10 ms frame, in dB below full scale. */
  peakDb: number;
  /** Seconds of frames within 30 dB of the loudest (and above the floor): roughly, time spent speaking. */
  speechS: number;
  /** Mean energy of the loudest tenth of the frames (the vowels), the reference a sound's loudness is measured against. */
  loudEnergy: number;
}

/** A microphone's own hiss sits around -60 dBFS; a voice a normal distance away peaks far above this. */
export const SILENCE_DB = -45;

function db(energy: number): number {
  return 10 * Math.log10(Math.max(energy, 1e-12));
}

export function levelStats(pcm: Float32Array): LevelStats {
  const energies: number[] = [];
  for (let start = 0; start + FRAME <= pcm.length; start += FRAME) {
    let sum = 0;
    for (let i = start; i < start + FRAME; i++) sum += pcm[i]! * pcm[i]!;
    energies.push(sum / FRAME);
  }
  const peak = energies.reduce((a, b) => Math.max(a, b), 0);
  const peakDb = db(peak);
  const floor = Math.max(peakDb - 30, SILENCE_DB - 10);
  const speechFrames = energies.filter((e) => db(e) > floor).length;
  const sorted = [...energies].sort((a, b) => b - a);
  const loud = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 10)));
  return {
    durationS: pcm.length / SAMPLE_RATE,
    peakDb,
    speechS: (speechFrames * FRAME) / SAMPLE_RATE,
    loudEnergy: loud.reduce((a, b) => a + b, 0) / loud.length,
  };
}

/** In-place radix-2 FFT of a power-of-two length. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const cos = Math.cos(step * k);
        const sin = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tre = re[b]! * cos - im[b]! * sin;
        const tim = re[b]! * sin + im[b]! * cos;
        re[b] = re[a]! - tre;
        im[b] = im[a]! - tim;
        re[a] = re[a]! + tre;
        im[a] = im[a]! + tim;
      }
    }
  }
}

const WINDOW = 256; // 16 ms: a fricative of 40 ms still gives two windows

/**
 * The energy above 4 kHz in a stretch of the recording, in dB relative to the recording's vowels. The
 * recogniser's model was trained on telephone-band speech (up to 3.7 kHz), where /s/ and /θ/ look alike; above
 * 4 kHz /s/ is loud (about -15 to -25 dB here) and /θ/ faint, which is how the judge tells "sink" from "think".
 */
export function highBandDb(pcm: Float32Array, startS: number, endS: number, loudEnergy: number): number {
  return bandDb(pcm, startS, endS, loudEnergy, 4_000, SAMPLE_RATE / 2);
}

/** The energy between `fromHz` and `toHz` in a stretch of the recording, in dB relative to the recording's vowels. */
export function bandDb(
  pcm: Float32Array,
  startS: number,
  endS: number,
  loudEnergy: number,
  fromHz: number,
  toHz: number,
): number {
  const from = Math.max(0, Math.floor(startS * SAMPLE_RATE));
  const to = Math.min(pcm.length, Math.ceil(endS * SAMPLE_RATE));
  const re = new Float64Array(WINDOW);
  const im = new Float64Array(WINDOW);
  const firstBin = Math.ceil((fromHz / SAMPLE_RATE) * WINDOW);
  const lastBin = Math.min(WINDOW / 2, Math.ceil((toHz / SAMPLE_RATE) * WINDOW));
  let energy = 0;
  let windows = 0;
  for (
    let start = from;
    start + WINDOW <= Math.max(to, from + WINDOW) && start + WINDOW <= pcm.length;
    start += WINDOW / 2
  ) {
    for (let i = 0; i < WINDOW; i++) {
      const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WINDOW - 1));
      re[i] = pcm[start + i]! * hann;
      im[i] = 0;
    }
    fft(re, im);
    let band = 0;
    for (let k = firstBin; k < lastBin; k++) band += re[k]! * re[k]! + im[k]! * im[k]!;
    // Parseval with the Hann window's mean power (3/8): per-sample energy comparable with levelStats'.
    energy += (2 * band) / (WINDOW * WINDOW * 0.375);
    windows++;
  }
  if (windows === 0) return -120;
  return db(energy / windows) - db(loudEnergy);
}

const RESAMPLE_PHASES = 128;
/** Half the filter's length, in periods of the 16 kHz output: longer filters cut aliasing more sharply. */
const RESAMPLE_HALF_WIDTH = 12;

/**
 * Mono samples at `fromRate` brought to SAMPLE_RATE (16 kHz), what the judge listens at: a windowed-sinc
 * low-pass at 7.2 kHz (so the microphone's 8–24 kHz does not fold back onto the /s/ band highBandDb measures),
 * read off a table of 128 fractional delays. A 3 s attempt at 48 kHz takes a few milliseconds.
 */
export function resampleTo16k(samples: Float32Array, fromRate: number): Float32Array {
  if (fromRate === SAMPLE_RATE) return samples.slice();
  const step = fromRate / SAMPLE_RATE;
  // Upsampling needs no anti-aliasing: the cut-off is then the input's own Nyquist frequency.
  const cutoff = Math.min(0.45 * SAMPLE_RATE, 0.45 * fromRate) / fromRate;
  const half = Math.ceil(RESAMPLE_HALF_WIDTH * Math.max(1, step));
  const taps = 2 * half;
  const table = new Float32Array((RESAMPLE_PHASES + 1) * taps);
  for (let phase = 0; phase <= RESAMPLE_PHASES; phase++) {
    const frac = phase / RESAMPLE_PHASES;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const d = k - half + 1 - frac; // input sample offset from the output instant
      const x = 2 * cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const blackman = 0.42 + 0.5 * Math.cos((Math.PI * d) / half) + 0.08 * Math.cos((2 * Math.PI * d) / half);
      const value = Math.abs(d) >= half ? 0 : 2 * cutoff * sinc * blackman;
      table[phase * taps + k] = value;
      sum += value;
    }
    // Unit gain at 0 Hz for every phase, so a steady level comes out at the level it went in.
    for (let k = 0; k < taps; k++) table[phase * taps + k]! /= sum;
  }
  const out = new Float32Array(Math.floor(samples.length / step));
  for (let n = 0; n < out.length; n++) {
    const t = n * step;
    const base = Math.floor(t);
    const row = Math.round((t - base) * RESAMPLE_PHASES) * taps;
    let acc = 0;
    for (let k = 0; k < taps; k++) {
      const i = base - half + 1 + k;
      if (i >= 0 && i < samples.length) acc += samples[i]! * table[row + k]!;
    }
    out[n] = acc;
  }
  return out;
}
