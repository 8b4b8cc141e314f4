import type { VoiceActivityOptions } from './messages';

/**
 * Decides, from the microphone's frames alone, when a learner starts speaking and when they have
 * finished their turn. Pure TypeScript with its own clock (the sum of the frames' durations), so
 * it behaves the same in the offscreen document and in unit tests.
 *
 * Frame energy is compared with an adaptive noise floor: a frame is voiced when it stands clearly
 * above the floor and above an absolute minimum. Speech starts after a short run of voiced frames
 * (a click or a knock is shorter), and the turn ends only after `endSilenceMs` without speech, so
 * the 300–400 ms pauses people leave inside a sentence never cut it.
 */

export interface VoiceActivityDetectorOptions extends VoiceActivityOptions {
  /** Consecutive voiced audio needed before speech counts as started. */
  onsetMs?: number;
  /** While speaking, a voiced run shorter than this (a click in the trailing silence) does not extend the turn. */
  resumeMs?: number;
  /** How far above the noise floor a frame must be to count as voiced. */
  marginDb?: number;
  /** Once speech has started the threshold drops by this much, so soft word endings still count. */
  hysteresisDb?: number;
  /** Nothing quieter than this is speech, however quiet the room (dBFS, RMS). */
  minSpeechDb?: number;
  /** A turn this long ends even if the room never goes quiet (a noise source that switched on mid-turn). */
  maxTurnMs?: number;
}

export type VoiceActivityEvent =
  /** `atMs` is when the voiced run that confirmed speech began, in detector time. */
  | { type: 'speech-start'; atMs: number }
  | { type: 'end-of-turn'; atMs: number; reason: 'silence' | 'max-length'; speechMs: number }
  | { type: 'idle-timeout'; atMs: number };

export const VAD_DEFAULTS = {
  endSilenceMs: 700,
  idleTimeoutMs: 15_000,
  onsetMs: 90,
  resumeMs: 60,
  marginDb: 10,
  hysteresisDb: 4,
  minSpeechDb: -50,
  maxTurnMs: 120_000,
} as const satisfies Required<VoiceActivityDetectorOptions>;

/** A frame of digital silence has no meaningful level; this stands in for log10(0). */
const SILENCE_DB = -100;
// The floor falls fast (a quieter frame proves the room is quieter) and rises slowly, fast
// enough to follow a room getting noisier between turns, too slowly for speech to drag it up.
/** A loud room's noise after noise suppression; a voice from the first frame stands well above it. */
const INITIAL_FLOOR_CEILING_DB = -40;
/** Loudness dips shorter than this are inside a word, not a silence after it. */
const WORD_DIP_MS = 150;
const FLOOR_FALL_TAU_MS = 50;
const FLOOR_RISE_DB_PER_S_WAITING = 6;
const FLOOR_RISE_DB_PER_S_SPEAKING = 0.5;

export function rmsOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

export function levelToDb(rms: number): number {
  return rms > 1e-5 ? 20 * Math.log10(rms) : SILENCE_DB;
}

export class VoiceActivityDetector {
  private readonly options: Required<VoiceActivityDetectorOptions>;
  private state: 'waiting' | 'speaking' | 'done' = 'waiting';
  private elapsedMs = 0;
  private floorDb: number | undefined;
  private voicedRunMs = 0;
  private voicedRunStartMs = 0;
  private speechStartMs = 0;
  private lastVoicedEndMs = 0;
  private voicedTotalMs = 0;
  private idleDeadlineMs: number;

  constructor(options: VoiceActivityDetectorOptions) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...VAD_DEFAULTS, ...defined };
    this.idleDeadlineMs = this.options.idleTimeoutMs;
  }

  /**
   * Starts the idle timeout again from now. Hands-free listening stays open while the teacher
   * speaks (so the learner can interrupt); the learner's silence only counts once the teacher
   * has finished.
   */
  restartIdleTimer(): void {
    this.idleDeadlineMs = this.elapsedMs + this.options.idleTimeoutMs;
  }

  /** Whether speech has been confirmed at any point of this turn. */
  get speechDetected(): boolean {
    return this.state === 'speaking' || this.voicedTotalMs > 0;
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  /** The current noise-floor estimate in dBFS (undefined until a frame with any signal arrived). */
  get noiseFloorDb(): number | undefined {
    return this.floorDb;
  }

  /** Feeds one frame of samples; returns what it changed, if anything. */
  process(samples: Float32Array, sampleRate: number): VoiceActivityEvent | undefined {
    return this.processLevel(rmsOf(samples), (samples.length / sampleRate) * 1000);
  }

  /** Feeds one frame given as its RMS level (0–1) and duration. */
  processLevel(rms: number, frameMs: number): VoiceActivityEvent | undefined {
    if (this.state === 'done' || !(frameMs > 0)) return undefined;
    const frameStart = this.elapsedMs;
    this.elapsedMs += frameMs;
    const frameEnd = this.elapsedMs;
    const speaking = this.state === 'speaking';

    // Exact zeros come from a microphone that is still starting up (or a silent test file):
    // they say nothing about the room's noise, so they leave the floor alone.
    const hasSignal = rms > 0;
    const db = levelToDb(rms);
    const slack = speaking ? this.options.hysteresisDb : 0;
    // Starting from the first frame alone would put the floor at speech level when the learner
    // is already talking; starting lower than a normal room would hear its noise as speech.
    const floor = this.floorDb ?? Math.min(db, INITIAL_FLOOR_CEILING_DB);
    const threshold = Math.max(floor + this.options.marginDb, this.options.minSpeechDb) - slack;
    const voiced = hasSignal && db >= threshold;
    if (hasSignal) this.floorDb = this.nextFloor(floor, db, voiced || speaking, frameMs);

    if (voiced) {
      if (this.voicedRunMs === 0) this.voicedRunStartMs = frameStart;
      this.voicedRunMs += frameMs;
    } else {
      this.voicedRunMs = 0;
    }

    if (this.state === 'waiting') {
      if (this.voicedRunMs >= this.options.onsetMs) {
        this.state = 'speaking';
        this.speechStartMs = this.voicedRunStartMs;
        this.lastVoicedEndMs = frameEnd;
        this.voicedTotalMs = this.voicedRunMs;
        return { type: 'speech-start', atMs: this.speechStartMs };
      }
      if (frameEnd >= this.idleDeadlineMs) {
        this.state = 'done';
        return { type: 'idle-timeout', atMs: frameEnd };
      }
      return undefined;
    }

    if (voiced) {
      this.voicedTotalMs += frameMs;
      // A short voiced run right after speech is the end of a word (a dip in its loudness came
      // first); the same run after a real silence is a click, and only a longer one is speech.
      const continuesSpeech = frameStart - this.lastVoicedEndMs <= WORD_DIP_MS;
      if (continuesSpeech || this.voicedRunMs >= this.options.resumeMs) this.lastVoicedEndMs = frameEnd;
    }
    if (frameEnd - this.lastVoicedEndMs >= this.options.endSilenceMs) {
      this.state = 'done';
      return { type: 'end-of-turn', atMs: frameEnd, reason: 'silence', speechMs: this.voicedTotalMs };
    }
    if (frameEnd - this.speechStartMs >= this.options.maxTurnMs) {
      this.state = 'done';
      return { type: 'end-of-turn', atMs: frameEnd, reason: 'max-length', speechMs: this.voicedTotalMs };
    }
    return undefined;
  }

  private nextFloor(floor: number, db: number, holdSteady: boolean, frameMs: number): number {
    if (db < floor) return floor + (db - floor) * Math.min(1, frameMs / FLOOR_FALL_TAU_MS);
    const rate = holdSteady ? FLOOR_RISE_DB_PER_S_SPEAKING : FLOOR_RISE_DB_PER_S_WAITING;
    return floor + Math.min(db - floor, (rate * frameMs) / 1000);
  }
}
