import type { StopRecordingReply } from '@/core/messages';
import { isSilentRecording, MIN_RECORDING_MS } from '@/core/recording-checks';
import { notifyError, notifyInfo, silencing } from './turn-effects';
import type { Transition, TurnEvent, TurnState } from './turn-machine';

/**
 * The microphone's part of the turn machine (turn-machine.ts): a press of Talk in every situation,
 * the microphone refused, and a recording that ended. Pure functions, like the machine.
 */

/** The Talk button (or the shortcut), in every situation the learner can press it in. */
export function press(state: TurnState, event: Extract<TurnEvent, { type: 'press' }>): Transition {
  switch (state.mic) {
    case 'recording':
      // Hands-free too: a press while speaking sends now instead of waiting for silence.
      return { state: { ...state, mic: 'stopping' }, effects: [{ type: 'stop-mic' }] };
    case 'listening':
      if (state.reply) {
        // Hands-free while the teacher speaks: the press is a barge-in; the open microphone
        // listens on, and the learner's first words start the recording.
        return { state: { ...state, reply: null }, effects: silencing(state) };
      }
      // Hands-free and nobody speaking yet: the press ends hands-free listening.
      return {
        state: { ...state, mic: 'off', handsFree: false },
        effects: [{ type: 'cancel-mic' }, notifyInfo({ id: 'hands-free-paused' })],
      };
    case 'starting':
    case 'stopping':
      return { state, effects: [notifyInfo({ id: 'still-working' })] };
    case 'off':
      break;
  }
  if (state.transcribing) return { state, effects: [notifyInfo({ id: 'still-working' })] };
  if (!event.hasKey) return { state, effects: [notifyError({ id: 'no-key' }, { action: 'settings' })] };
  // Idle, or the teacher thinking or speaking: a barge-in — the teacher falls silent at once,
  // what was heard is kept, and the learner speaks.
  const handsFree = state.reply ? state.handsFree : event.handsFreeSetting;
  return {
    state: { ...state, mic: 'starting', handsFree, reply: null },
    effects: [...silencing(state), { type: 'clear-info' }, { type: 'start-mic', handsFree }],
  };
}

export function recordingEnded(state: TurnState, result: StopRecordingReply, stopPressedAt: number): Transition {
  if (result.status === 'saved' && result.recordingId === state.lastRecordingId) {
    // Already handled: a hands-free turn ended by the detector and a press at once.
    return { state, effects: [] };
  }
  if (state.mic === 'off' && result.status === 'saved') {
    // Everything was stopped while the recording was stopping: it belongs to no turn.
    return { state, effects: [{ type: 'discard-recording', recordingId: result.recordingId }] };
  }
  // The detector ends a hands-free turn by itself: the microphone is off either way.
  const next: TurnState = { ...state, mic: 'off' };
  if (result.status === 'not-recording') return { state: { ...next, practice: null }, effects: [] };
  if (result.status === 'error') {
    return {
      state: { ...next, handsFree: false, practice: null },
      effects: [notifyError({ id: 'recording-failed', detail: result.message })],
    };
  }
  next.lastRecordingId = result.recordingId;
  // A practice attempt in which nothing was heard is judged all the same: the judge says so beside the
  // sentence, and nothing of it is sent anywhere (practice-attempts.ts). Only a double press is dropped.
  if (next.practice && result.durationMs >= MIN_RECORDING_MS) {
    return {
      state: { ...next, transcribing: true },
      effects: [{ type: 'clear-notice' }, { type: 'judge-attempt', recording: result, target: next.practice }],
    };
  }
  if (isSilentRecording(result)) {
    // Only a press ends a turn in which nobody spoke, so hands-free stops here too.
    return {
      state: { ...next, handsFree: false, practice: null },
      effects: [{ type: 'discard-recording', recordingId: result.recordingId }, notifyInfo({ id: 'heard-nothing' })],
    };
  }
  if (next.practice) {
    return {
      state: { ...next, transcribing: true },
      effects: [{ type: 'clear-notice' }, { type: 'judge-attempt', recording: result, target: next.practice }],
    };
  }
  return {
    state: { ...next, transcribing: true },
    effects: [{ type: 'clear-notice' }, { type: 'transcribe', recording: result, stopPressedAt }],
  };
}

/** The microphone could not open: why, and what the learner can do. */
export function micRefused(state: TurnState, event: Extract<TurnEvent, { type: 'mic-refused' }>): Transition {
  // Whatever stopped the microphone from starting also ends hands-free listening.
  const next: TurnState = { ...state, mic: 'off', handsFree: false, practice: null };
  switch (event.reason) {
    case 'permission-needed':
      return {
        state: next,
        effects: [notifyInfo({ id: 'permission-needed' }, 'microphone'), { type: 'open-permission-page' }],
      };
    case 'permission-denied':
      return { state: next, effects: [notifyError({ id: 'permission-denied' }, { action: 'microphone' })] };
    case 'no-microphone':
      return { state: next, effects: [notifyError({ id: 'no-microphone' })] };
    case 'busy':
      return { state: next, effects: [notifyError({ id: 'busy-elsewhere' })] };
    case 'error':
      return { state: next, effects: [notifyError({ id: 'mic-error', detail: event.message ?? '' })] };
  }
  return { state: next, effects: [] };
}
