import { companionNotice, type Effect } from './turn-effects';
import type { Transition, TurnEvent, TurnState } from './turn-machine';

/**
 * Read-outs in the turn machine (turn-machine.ts): a text read in the teacher's voice outside any
 * turn — "Listen again", "Listen slowly", "Listen first", a meaning looked up
 * (features/listening/read-out.ts). Only between turns, and only until something else starts.
 */

type ReadOutEvent = Extract<
  TurnEvent,
  { type: 'read-out' | 'read-out-failed' | 'read-out-finished' | 'stop-read-out' }
>;

export function readOutEvent(state: TurnState, event: ReadOutEvent, idle: boolean): Transition {
  switch (event.type) {
    case 'read-out': {
      // Never over the learner or the teacher.
      if (!idle) return { state, effects: [] };
      const effects: Effect[] = state.readOut ? [{ type: 'stop-read-out', id: state.readOut.id }] : [];
      if (event.sample) {
        effects.push({
          type: 'start-read-out',
          id: event.id,
          text: event.text,
          slow: event.slow,
          sample: event.sample,
        });
        return { state: { ...state, readOut: { id: event.id, voice: 'companion', sample: true } }, effects };
      }
      effects.push({ type: 'start-read-out', id: event.id, text: event.text, slow: event.slow });
      return { state: { ...state, readOut: { id: event.id, voice: 'companion' } }, effects };
    }
    case 'read-out-failed':
      if (state.readOut?.id !== event.id || state.readOut.voice === 'browser') return { state, effects: [] };
      // A sample in another voice would mislead: it ends, and Settings says why (read-out.ts keeps the reason).
      if (state.readOut.sample) return { state: { ...state, readOut: null }, effects: [] };
      // As for a reply: the browser's voice reads the rest, and the banner says why.
      return {
        state: { ...state, readOut: { ...state.readOut, voice: 'browser' } },
        effects: [companionNotice(event.unreachable, event.message), { type: 'read-out-in-browser', id: event.id }],
      };
    case 'read-out-finished':
      if (state.readOut?.id !== event.id) return { state, effects: [] };
      return { state: { ...state, readOut: null }, effects: [] };
    case 'stop-read-out':
      if (state.readOut?.id !== event.id) return { state, effects: [] };
      return { state: { ...state, readOut: null }, effects: [{ type: 'stop-read-out', id: event.id }] };
  }
}

/** A read-out ends as soon as the microphone opens or a turn or a reply begins; it falls silent first. */
export function endReadOut({ state, effects }: Transition): Transition {
  const busy = state.mic !== 'off' || state.transcribing || state.reply !== null;
  if (!state.readOut || !busy) return { state, effects };
  return { state: { ...state, readOut: null }, effects: [{ type: 'stop-read-out', id: state.readOut.id }, ...effects] };
}
