import type { SavedRecording } from './messages';

/** Below this RMS level nothing was said (the fake or real microphone delivered silence). */
export const SILENCE_LEVEL = 0.01;
/** Recordings shorter than this are accidental double presses. */
export const MIN_RECORDING_MS = 300;

/**
 * Whether a recording holds nothing worth sending. Decided the same way by the panel (after a
 * press) and by the offscreen document (a recording cut off by the panel closing), so a silent
 * one is never kept as an unsent turn.
 */
export function isSilentRecording(
  recording: Pick<SavedRecording, 'durationMs' | 'peakLevel' | 'speechDetected'>,
): boolean {
  return recording.durationMs < MIN_RECORDING_MS || (recording.peakLevel < SILENCE_LEVEL && !recording.speechDetected);
}
