/**
 * The noisy-room material for `npm run bench:vad`, and how a detector's decisions on it are scored.
 * Pure functions over 48 kHz float samples, so the scoring is unit-tested without a detector.
 */

/** What a detector decided while listening to one scene, in ms from the scene's start. */
export interface TurnDecision {
  type: 'start' | 'end';
  atMs: number;
}

/** A learner's sentence placed in a scene: where the speech is, and where pauses inside it are. */
export interface SpeechPlacement {
  speechStartMs: number;
  speechEndMs: number;
}

export interface SentenceScore {
  /** A turn started before the learner spoke. */
  falseStart: boolean;
  /** A turn started while the learner spoke. */
  heard: boolean;
  /** The turn ended before the learner had finished (the sentence would be cut). */
  cutEarly: boolean;
  /** From the end of the speech to the end-of-turn decision; NaN when the turn never ended. */
  endDelayMs: number;
}

/** RMS of the samples louder than `thresholdDb` dBFS in 10 ms windows: the speech's active level. */
export function activeLevel(samples: Float32Array, rate: number, thresholdDb = -50): number {
  const window = Math.round(rate / 100);
  const threshold = 10 ** (thresholdDb / 20);
  let sum = 0;
  let count = 0;
  for (let start = 0; start + window <= samples.length; start += window) {
    let windowSum = 0;
    for (let i = start; i < start + window; i++) windowSum += samples[i]! * samples[i]!;
    if (Math.sqrt(windowSum / window) > threshold) {
      sum += windowSum;
      count += window;
    }
  }
  return count === 0 ? 0 : Math.sqrt(sum / count);
}

export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/**
 * Speech laid over noise so that the speech's active level stands `snrDb` above the noise's RMS,
 * with `leadMs` of noise before it and `tailMs` after. The noise loops if it is shorter.
 * With `snrDb` null the result is the speech alone, padded with digital silence.
 */
export function mix(
  speech: Float32Array,
  noise: Float32Array,
  rate: number,
  options: { snrDb: number | null; leadMs: number; tailMs: number },
): Float32Array {
  const lead = Math.round((options.leadMs / 1000) * rate);
  const out = new Float32Array(lead + speech.length + Math.round((options.tailMs / 1000) * rate));
  out.set(speech, lead);
  if (options.snrDb === null || noise.length === 0) return out;
  const speechLevel = speech.length > 0 ? activeLevel(speech, rate) : 0.1;
  const gain = speechLevel / 10 ** (options.snrDb / 20) / rms(noise);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.max(-1, Math.min(1, out[i]! + noise[i % noise.length]! * gain));
  }
  return out;
}

/** How a detector did on one sentence: the first turn it started, and how that turn ended. */
export function scoreSentence(decisions: readonly TurnDecision[], speech: SpeechPlacement): SentenceScore {
  const starts = decisions.filter((d) => d.type === 'start');
  const falseStart = starts.some((d) => d.atMs < speech.speechStartMs);
  const heard = starts.some((d) => d.atMs >= speech.speechStartMs && d.atMs <= speech.speechEndMs);
  // The turn that holds the learner's speech: the first one still open when they started talking.
  const ends = decisions.filter((d) => d.type === 'end' && d.atMs > speech.speechStartMs);
  const end = ends[0];
  return {
    falseStart,
    heard,
    cutEarly: end !== undefined && end.atMs < speech.speechEndMs,
    endDelayMs: end === undefined ? Number.NaN : end.atMs - speech.speechEndMs,
  };
}
