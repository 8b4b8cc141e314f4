import { notifyError, notifyInfo, silencing } from './turn-effects';
import type { Transition, TurnEvent, TurnState } from './turn-machine';

/**
 * The practice attempt's part of the turn machine (turn-machine.ts): "Say it again" and "Read it
 * aloud" record the learner saying a given text, which is judged locally and never becomes a
 * teacher turn. Pure functions, like the machine.
 */

/** "Say it again" / "Read it aloud": record now; pressed again while recording it, send it. */
export function practise(state: TurnState, event: Extract<TurnEvent, { type: 'practise' }>): Transition {
  if (state.practice?.id === event.target.id && state.mic === 'recording') {
    return { state: { ...state, mic: 'stopping' }, effects: [{ type: 'stop-mic' }] };
  }
  if (state.mic !== 'off' || state.transcribing) return { state, effects: [notifyInfo({ id: 'still-working' })] };
  // Repeat after me and a sound drill are judged on this computer only: they need no server, so no key.
  const transcribed = event.target.kind === 'say-again' || event.target.kind === 'read-aloud';
  if (!event.hasKey && transcribed) return { state, effects: [notifyError({ id: 'no-key' }, { action: 'settings' })] };
  // Like a press over the teacher: it falls silent; the attempt is push-to-talk, hands-free or not.
  return {
    state: { ...state, mic: 'starting', handsFree: false, reply: null, practice: event.target },
    effects: [...silencing(state), { type: 'clear-info' }, { type: 'start-mic', handsFree: false, practice: true }],
  };
}

/**
 * The microphone failed while an attempt was recorded: the practice ends here and says so, so the
 * next press of Talk is a turn of its own, not judged against this text (and its audio deleted).
 */
export function practiceMicFailed(state: TurnState, detail: string): Transition {
  return {
    state: { ...state, mic: 'off', handsFree: false, practice: null },
    effects: [notifyError({ id: 'attempt-mic-stopped', detail })],
  };
}

/** The attempt was judged (the runner keeps the result), or could not be. */
export function attemptEnded(
  state: TurnState,
  event: Extract<TurnEvent, { type: 'attempt-judged' | 'attempt-failed' }>,
): Transition {
  if (state.practice?.id !== event.targetId) return { state, effects: [] };
  const next: TurnState = { ...state, practice: null, transcribing: false };
  if (event.type === 'attempt-judged') return { state: next, effects: [] };
  return { state: next, effects: [notifyError({ id: 'api-error' }, { error: event.error })] };
}
