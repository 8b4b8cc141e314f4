/**
 * Vowel formants from linear prediction: the recogniser's models blur /æ/ with /e/ and /iː/ with /ɪ/ (their
 * spectra differ mostly in where the first two resonances of the mouth sit), which F1 and F2 show directly.
 */
import { SAMPLE_RATE } from './signal';

const ORDER = 12;
const WINDOW = 400; // 25 ms
const HOP = 160; // 10 ms
const ENVELOPE_POINTS = 256; // 31 Hz apart up to 8 kHz

export interface Formants {
  f1: number;
  f2: number;
}

/** Autocorrelation LPC by Levinson–Durbin: the predictor a[0..order] with a[0] = 1; undefined for silence. */
function lpc(frame: Float64Array, order: number): Float64Array | undefined {
  const r = new Float64Array(order + 1);
  for (let lag = 0; lag <= order; lag++) {
    let sum = 0;
    for (let i = lag; i < frame.length; i++) sum += frame[i]! * frame[i - lag]!;
    r[lag] = sum;
  }
  if (r[0]! <= 1e-10) return undefined;
  r[0]! *= 1 + 1e-9;
  const a = new Float64Array(order + 1);
  a[0] = 1;
  let error = r[0]!;
  for (let i = 1; i <= order; i++) {
    let acc = r[i]!;
    for (let j = 1; j < i; j++) acc += a[j]! * r[i - j]!;
    const k = -acc / error;
    const previous = a.slice();
    for (let j = 1; j < i; j++) a[j] = previous[j]! + k * previous[i - j]!;
    a[i] = k;
    error *= 1 - k * k;
    if (error <= 0) return undefined;
  }
  return a;
}

/** The peaks of the LPC envelope between 200 Hz and 4 kHz, lowest first (Hz, interpolated between points). */
function envelopePeaks(a: Float64Array): number[] {
  const gain: number[] = [];
  for (let p = 0; p <= ENVELOPE_POINTS; p++) {
    const w = (Math.PI * p) / ENVELOPE_POINTS;
    let re = 0;
    let im = 0;
    for (let k = 0; k < a.length; k++) {
      re += a[k]! * Math.cos(w * k);
      im -= a[k]! * Math.sin(w * k);
    }
    gain.push(-Math.log(re * re + im * im));
  }
  const hz = (p: number) => (p * SAMPLE_RATE) / 2 / ENVELOPE_POINTS;
  const peaks: number[] = [];
  for (let p = 1; p < ENVELOPE_POINTS; p++) {
    if (gain[p]! > gain[p - 1]! && gain[p]! >= gain[p + 1]!) {
      const [l, c, r] = [gain[p - 1]!, gain[p]!, gain[p + 1]!];
      const shift = (0.5 * (l - r)) / (l - 2 * c + r || 1);
      const f = hz(p + shift);
      if (f >= 200 && f <= 4_000) peaks.push(f);
    }
  }
  return peaks;
}

/**
 * F1 and F2 (Hz) of the vowel between startS and endS, the median over 25 ms Hamming windows across its middle
 * half (its edges lean towards the consonants around it), after pre-emphasis; undefined when no window has two
 * resonances.
 */
export function vowelFormants(pcm: Float32Array, startS: number, endS: number): Formants | undefined {
  const length = endS - startS;
  const from = Math.max(0, Math.floor((startS + length / 4) * SAMPLE_RATE));
  const to = Math.min(pcm.length, Math.ceil((endS - length / 4) * SAMPLE_RATE));
  const f1s: number[] = [];
  const f2s: number[] = [];
  const frame = new Float64Array(WINDOW);
  const centre = (from + to) / 2;
  // A vowel's middle half can be shorter than one window: then a single window centred on it.
  const first = to - from >= WINDOW ? from : Math.max(1, Math.round(centre - WINDOW / 2));
  const last = to - from >= WINDOW ? to - WINDOW : first;
  for (let start = first; start <= last && start + WINDOW <= pcm.length; start += HOP) {
    for (let i = 0; i < WINDOW; i++) {
      const hamming = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (WINDOW - 1));
      frame[i] = (pcm[start + i]! - 0.97 * pcm[start + i - 1]!) * hamming;
    }
    const a = lpc(frame, ORDER);
    if (!a) continue;
    const peaks = envelopePeaks(a);
    if (peaks.length < 2) continue;
    f1s.push(peaks[0]!);
    f2s.push(peaks[1]!);
  }
  if (f1s.length === 0) return undefined;
  return { f1: median(f1s), f2: median(f2s) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
