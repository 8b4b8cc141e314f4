import type { VoiceActivityOptions } from '../core/messages';

/**
 * Decides, from the microphone's frames alone, when a learner starts speaking and when they have
 * finished their turn. Pure TypeScript with its own clock (the sum of the frames' durations), so
 * it behaves the same in the offscreen document and in unit tests.
 *
 * Frame energy is compared with an adaptive noise floor: a frame is voiced when it stands clearly
 * above the floor and above an absolute minimum. Speech starts after a short run of voiced frames
 * (a click or a knock is shorter), and the turn ends only after `endSilenceMs` without speech, so
 * the 300–400 ms pauses people leave inside a sentence never cut it. Once the learner speaks, sound
 * must also come within `voiceRangeDb` of their own voice to continue the turn, so the other voices
 * of a busy room do not hold it open. `npm run bench:vad` measures it in noise, against Silero VAD.
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
  /** Once speaking, sound this far below the learner's own voice no longer continues the turn. */
  voiceRangeDb?: number;
}

export type VoiceActivityEvent =
  /** `atMs` is when the voiced run that confirmed speech began, in detector time. */
  | { type: 'speech-start'; atMs: number }
  | { type: 'end-of-turn'; atMs: number; reason: 'silence' | 'max-length'; speechMs: number }
  | { type: 'idle-timeout'; atMs: number };

export const VAD_DEFAULTS = {
  endSilenceMs: 600,
  idleTimeoutMs: 15_000,
  onsetMs: 90,
  resumeMs: 60,
  marginDb: 10,
  hysteresisDb: 4,
  minSpeechDb: -50,
  maxTurnMs: 120_000,
  voiceRangeDb: 12,
} as const satisfies Required<VoiceActivityDetectorOptions>;

/** A frame of digital silence has no meaningful level; this stands in for log10(0). */
const SILENCE_DB = -100;
// Between turns the floor is the room's *average* level, smoothed over a fraction of a second: a
// floor that dives to every dip of a fluctuating noise (a room of people talking) would put the
// threshold inside that noise's peaks, and every louder moment of it would start a turn.
/** A loud room's noise after noise suppression; a voice from the first frame stands well above it. */
const INITIAL_FLOOR_CEILING_DB = -35;
/** How fast the floor follows the room between turns. */
const FLOOR_TAU_WAITING_MS = 400;
/**
 * A frame clearly above the floor barely moves it: it may be the learner's first syllable, or the
 * quieter part of speech in a loud room, which must not lift the floor to the voice's own level.
 */
const FLOOR_TAU_ABOVE_MS = 4_000;
const FLOOR_BAND_DB = 3;
/** A frame this far below the floor proves the room is quieter than thought: the floor drops to it fast. */
const FLOOR_DROP_DB = 10;
const FLOOR_FALL_TAU_MS = 50;
const FLOOR_RISE_DB_PER_S_SPEAKING = 0.5;
/** Loudness dips shorter than this are inside a word, not a silence after it. */
const WORD_DIP_MS = 150;
/** How fast the learner's remembered loudness fades, so a loud first word does not hide softer speech after it. */
const VOICE_DECAY_DB_PER_S = 2;
const MAX_VOICE_LIFT_DB = 10;

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
  /** The learner's loudness in this turn: the loudest recent frame, decaying slowly. */
  private voiceDb = SILENCE_DB;
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
    const roomThreshold = Math.max(floor + this.options.marginDb, this.options.minSpeechDb) - slack;
    // While the learner speaks, only sound within voiceRangeDb of their own voice continues the
    // turn: the voices of a busy room behind them stand above the floor too, but well below them.
    // The lift is bounded, so in a quiet room a learner's softer words still count.
    const voiceThreshold = speaking
      ? Math.min(this.voiceDb - this.options.voiceRangeDb, roomThreshold + MAX_VOICE_LIFT_DB)
      : -Infinity;
    const threshold = Math.max(roomThreshold, voiceThreshold);
    const voiced = hasSignal && db >= threshold;
    if (voiced) this.voiceDb = Math.max(db, this.voiceDb - (VOICE_DECAY_DB_PER_S * frameMs) / 1000);
    if (hasSignal) this.floorDb = this.nextFloor(floor, db, speaking, voiced, frameMs);

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

  private nextFloor(floor: number, db: number, speaking: boolean, voiced: boolean, frameMs: number): number {
    if (db < floor - FLOOR_DROP_DB) {
      return floor + (db - floor) * Math.min(1, frameMs / FLOOR_FALL_TAU_MS);
    }
    if (speaking) return floor + Math.min(db - floor, (FLOOR_RISE_DB_PER_S_SPEAKING * frameMs) / 1000);
    const tau = voiced || db > floor + FLOOR_BAND_DB ? FLOOR_TAU_ABOVE_MS : FLOOR_TAU_WAITING_MS;
    return floor + (db - floor) * Math.min(1, frameMs / tau);
  }
}
