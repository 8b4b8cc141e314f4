import type { VoiceActivityOptions } from '../core/messages';
import { VoiceActivityDetector, rmsOf } from './voice-activity';

/**
 * What one recording hears, frame by frame: the input level for the panel's meter (and the
 * loudest moment, to tell a silent recording from speech), the voice-activity detector, and the
 * recording's length. It decides nothing about the microphone: it says what it heard, and the
 * recorder ends the turn.
 */

/** The panel's meter moves about ten times a second. */
const LEVEL_INTERVAL_MS = 100;
/**
 * A push-to-talk turn nobody ends (the panel was closed mid-turn) must not keep the microphone
 * open for ever; five minutes is far beyond any answer and far below Whisper's 25 MB.
 */
export const MAX_RECORDING_MS = 5 * 60_000;

export type InputEvent =
  /** The mean level (RMS, 0–1) since the last report. */
  | { type: 'level'; level: number }
  /** Hands-free only: the learner began to speak. */
  | { type: 'speech-start' }
  /** Hands-free only: the learner has finished their turn. */
  | { type: 'end-of-turn' }
  /** Hands-free only: nobody spoke for the idle timeout. */
  | { type: 'idle' }
  /** The recording reached MAX_RECORDING_MS. */
  | { type: 'too-long' };

export class InputMonitor {
  private readonly detector: VoiceActivityDetector;
  private peak = 0;
  private levelSquares = 0;
  private levelSamples = 0;
  private levelMs = 0;
  private audioMs = 0;

  constructor(
    private readonly options: { handsFree: boolean; vad: VoiceActivityOptions },
    private readonly report: (event: InputEvent) => void,
  ) {
    // Push-to-talk still runs the detector, only to tell a silent recording from speech: the
    // learner decides when the turn ends, so its own end and idle decisions are switched off.
    this.detector = new VoiceActivityDetector(
      options.handsFree ? options.vad : { endSilenceMs: Infinity, idleTimeoutMs: Infinity, maxTurnMs: Infinity },
    );
  }

  /** The loudest input level heard (0–1 RMS); near zero means nothing was heard. */
  get peakLevel(): number {
    return this.peak;
  }

  /** Whether the detector heard any speech at all. */
  get speechDetected(): boolean {
    return this.detector.speechDetected;
  }

  /**
   * Hands-free listens on while the teacher speaks, so the learner can interrupt; time spent
   * listening to the teacher is not the learner's silence, so the idle timeout starts again.
   */
  restartIdleTimer(): void {
    this.detector.restartIdleTimer();
  }

  /** One frame of contiguous samples from the microphone. */
  frame(samples: Float32Array, sampleRate: number): void {
    const frameMs = (samples.length / sampleRate) * 1000;
    const rms = rmsOf(samples);
    this.peak = Math.max(this.peak, rms);
    this.levelSquares += rms * rms * samples.length;
    this.levelSamples += samples.length;
    this.levelMs += frameMs;
    if (this.levelMs >= LEVEL_INTERVAL_MS) {
      this.report({ type: 'level', level: Math.sqrt(this.levelSquares / this.levelSamples) });
      this.levelSquares = 0;
      this.levelSamples = 0;
      this.levelMs = 0;
    }
    this.audioMs += frameMs;
    if (this.audioMs >= MAX_RECORDING_MS) {
      this.report({ type: 'too-long' });
      return;
    }
    const event = this.detector.processLevel(rms, frameMs);
    // Push-to-talk: the learner's own presses start and end the turn; nothing to announce.
    if (!event || !this.options.handsFree) return;
    if (event.type === 'speech-start') this.report({ type: 'speech-start' });
    else if (event.type === 'end-of-turn') this.report({ type: 'end-of-turn' });
    else this.report({ type: 'idle' });
  }
}
