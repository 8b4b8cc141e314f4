import type { CompanionTarget, StopRecordingReply } from '@/core/messages';
import { micRefused, press, recordingEnded } from './mic-transitions';
import { attemptEnded, practiceMicFailed, practise } from './practice-transitions';
import { endReadOut, readOutEvent } from './read-out-transitions';
import { newReply, replyEvent } from './reply-transitions';
import { notifyError, notifyInfo, silencing, type Effect } from './turn-effects';

export type { Effect, Notice, NoticeText } from './turn-effects';

/**
 * The turn: what the panel does when the learner presses Talk, when the microphone, the
 * transcription or the teacher's reply reports back, and what it shows meanwhile — as one pure
 * function `transition(state, event) → { state, effects }` (docs/ARCHITECTURE.md, "A turn's way"). It does
 * nothing itself: the turn runner (turn-runner.ts) carries out the effects and feeds what
 * happened back in as events. Every question of the form "what happens when X while Y" is
 * answered here, in `transition`, or in the modules beside it for the microphone (mic-transitions.ts:
 * a press in every situation), the reply (reply-transitions.ts), practice attempts
 * (practice-transitions.ts) and read-outs (read-out-transitions.ts); what it can ask for is in
 * turn-effects.ts.
 */

/** The microphone, as this panel sees it. */
export type Mic = 'off' | 'starting' | 'listening' | 'recording' | 'stopping';

export interface Reply {
  /** The assistant message's id, which is also the offscreen document's speech turn id. */
  id: string;
  /** The learner has heard the first of it. */
  audible: boolean;
  /** The chat stream has ended (all sentences were handed to the voice). */
  streamDone: boolean;
  /** The voice has spoken everything it was given. */
  speechDone: boolean;
  /** The companion could not be reached: the browser's own voice reads the rest. */
  voice: 'companion' | 'browser';
}

/**
 * A practice attempt: the learner says a given text (a corrected sentence again, or a page
 * selection read aloud). It is recorded like a turn, then judged against the text locally: no
 * teacher turn is made of it and nothing is added to the conversation.
 */
export interface PracticeTarget {
  id: string;
  text: string;
  /**
   * 'say-again' and 'read-aloud' are also transcribed and compared word by word; 'repeat' (Repeat after me:
   * a sentence of a teacher reply said back) and 'sound-drill' (a notebook sound's minimal pairs) are judged
   * for pronunciation on this computer only: nothing about them is sent to any server.
   */
  kind: 'say-again' | 'read-aloud' | 'repeat' | 'sound-drill';
}

export interface TurnState {
  mic: Mic;
  /** Set while a practice attempt is recorded and judged. */
  practice: PracticeTarget | null;
  /** Hands-free: the microphone reopens by itself after each turn until the learner stops it. */
  handsFree: boolean;
  /** A learner turn is being saved or transcribed. */
  transcribing: boolean;
  reply: Reply | null;
  /** The last recording handled: the detector and a press can both end the same one. */
  lastRecordingId: string | null;
  /** A text being read in the teacher's voice between turns (read-out-transitions.ts). */
  readOut: ReadOut | null;
}

export interface ReadOut {
  id: string;
  /** The companion could not speak it: the browser's own voice reads it. */
  voice: 'companion' | 'browser';
  /** A voice sample (Settings › Voice): it is that voice or nothing, never the browser's. */
  sample?: true;
}

/** Which companion and voice a sample is played by: the Settings form's, which may not be saved yet. */
export type SampleVoice = Omit<CompanionTarget, 'speed'>;

export const INITIAL_TURN_STATE: TurnState = {
  mic: 'off',
  practice: null,
  handsFree: false,
  transcribing: false,
  reply: null,
  lastRecordingId: null,
  readOut: null,
};

export type TalkPhase =
  | 'idle'
  | 'preparing'
  | 'listening'
  | 'recording'
  | 'stopping'
  | 'transcribing'
  | 'thinking'
  | 'speaking';

/** What the Talk bar shows: the most pressing of what is going on. */
export function phaseOf(state: TurnState): TalkPhase {
  // Hands-free reopening the microphone while the teacher answers is not something to show.
  if (state.mic === 'starting') return state.reply ? replyPhase(state.reply) : 'preparing';
  if (state.mic === 'stopping') return 'stopping';
  if (state.mic === 'recording') return 'recording';
  if (state.transcribing) return 'transcribing';
  if (state.reply) return replyPhase(state.reply);
  if (state.mic === 'listening') return 'listening';
  return 'idle';
}

function replyPhase(reply: Reply): TalkPhase {
  return reply.audible ? 'speaking' : 'thinking';
}

/** A turn is being saved or transcribed: switching conversation now would lose it. */
export function turnInProgress(state: TurnState): boolean {
  return state.mic === 'starting' || state.mic === 'stopping' || state.transcribing;
}

export type MicRefusal = 'permission-needed' | 'permission-denied' | 'no-microphone' | 'busy' | 'error';

export type TurnEvent =
  /** The Talk button or the shortcut. */
  | { type: 'press'; hasKey: boolean; handsFreeSetting: boolean }
  | { type: 'mic-started' }
  | { type: 'mic-refused'; reason: MicRefusal; message?: string }
  /** Hands-free: the detector heard the learner begin to speak. */
  | { type: 'speech-start' }
  /** The recording ended, by a press or (hands-free) by the detector; `stopPressedAt` for timings. */
  | { type: 'recording-ended'; result: StopRecordingReply; stopPressedAt: number }
  /** Hands-free: nobody spoke for a long while; the microphone is already released. */
  | { type: 'idle-timeout' }
  | { type: 'mic-failed'; message: string }
  /** `replyId`: the id the teacher's answer will have (events carry ids; the machine makes none). */
  | { type: 'transcribed'; messageId: string; replyId: string }
  /** `empty`: the recording held no words (not an error of the server). */
  | { type: 'transcription-failed'; messageId: string; error: unknown; empty: boolean }
  /** The teacher speaks first: a new conversation's opening question. */
  | { type: 'teacher-opens'; replyId: string }
  | { type: 'reply-audible'; replyId: string }
  | { type: 'reply-streamed'; replyId: string; sentences: number }
  | { type: 'reply-failed'; replyId: string; error: unknown; retryMessageId?: string }
  /** The companion failed; the browser's voice takes over from here. */
  | { type: 'companion-failed'; replyId: string; unreachable: boolean; message: string }
  /** The voice finished the reply: 'done' all of it; 'stopped' by someone else (another panel). */
  | { type: 'speech-finished'; replyId: string; status: 'done' | 'stopped' }
  | { type: 'retry'; messageId: string; transcribed: boolean; replyId: string }
  /** Send a recording made while the panel was closed. */
  | { type: 'send-unsent'; messageId: string }
  /** Another conversation is opened (or deleted), or the panel goes away (`closing`): silence and release everything. */
  | { type: 'stop-all'; closing?: boolean }
  /** Microphone allowed on the permission page. */
  | { type: 'microphone-allowed' }
  /** "Say it again" / "Read it aloud": record an attempt at `target` now (the same button stops it). */
  | { type: 'practise'; target: PracticeTarget; hasKey: boolean }
  /** The attempt was transcribed and compared (the runner keeps the result). */
  | { type: 'attempt-judged'; targetId: string }
  | { type: 'attempt-failed'; targetId: string; error: unknown }
  /** "Listen again" (`slow`: "Listen slowly"), "Listen first", a meaning: read `text` aloud, between turns. */
  | { type: 'read-out'; id: string; text: string; slow: boolean; sample?: SampleVoice }
  /** The learner stopped a read-out (a voice sample's Stop). */
  | { type: 'stop-read-out'; id: string }
  /** The companion could not speak the read-out; the browser's voice takes over from here. */
  | { type: 'read-out-failed'; id: string; unreachable: boolean; message: string }
  /** A message of the turn could not be written to IndexedDB; it is still shown, and the turn goes on. */
  | { type: 'not-saved'; messageId: string; error: unknown }
  /** The banner's Retry for that: write it again. */
  | { type: 'retry-save' }
  /** The read-out was spoken to its end, or stopped by another panel's voice. */
  | { type: 'read-out-finished'; id: string };

export interface Transition {
  state: TurnState;
  effects: Effect[];
}

export function transition(state: TurnState, event: TurnEvent): Transition {
  return endReadOut(step(state, event));
}

function step(state: TurnState, event: TurnEvent): Transition {
  switch (event.type) {
    case 'press':
      return press(state, event);

    case 'mic-started':
      // Everything was stopped while the microphone was opening: close it again.
      if (state.mic === 'off') return { state, effects: [{ type: 'cancel-mic' }] };
      if (state.mic !== 'starting') return { state, effects: [] };
      return { state: { ...state, mic: state.handsFree ? 'listening' : 'recording' }, effects: [] };

    case 'mic-refused':
      return micRefused(state, event);

    case 'speech-start':
      // Hands-free barge-in: the learner started speaking over the teacher.
      if (state.mic !== 'listening') return { state, effects: [] };
      return { state: { ...state, mic: 'recording', reply: null }, effects: silencing(state) };

    case 'recording-ended':
      return recordingEnded(state, event.result, event.stopPressedAt);

    case 'idle-timeout':
      if (state.mic === 'off') return { state, effects: [] };
      return {
        state: { ...state, mic: 'off', handsFree: false },
        effects: [notifyInfo({ id: 'hands-free-idle' })],
      };

    case 'mic-failed':
      if (state.practice && !state.transcribing) return practiceMicFailed(state, event.message);
      return {
        state: { ...state, mic: 'off', handsFree: false },
        effects: [notifyError({ id: 'mic-stopped', detail: event.message })],
      };

    case 'transcribed': {
      // A transcription that was abandoned (another conversation opened) asks nobody.
      if (!state.transcribing) return { state, effects: [] };
      const next: TurnState = { ...state, transcribing: false };
      const effects: Effect[] = [{ type: 'clear-info' }];
      // Hands-free listens while the teacher answers, so the learner can interrupt by speaking.
      if (next.handsFree && next.mic === 'off') {
        next.mic = 'starting';
        effects.push({ type: 'start-mic', handsFree: true });
      }
      // One reply at a time: an older one still speaking is silenced first.
      effects.push(
        ...silencing(next),
        { type: 'ask-teacher', replyId: event.replyId },
        { type: 'check-sentence', messageId: event.messageId },
      );
      return { state: { ...next, reply: newReply(event.replyId) }, effects };
    }

    case 'transcription-failed': {
      if (!state.transcribing) return { state, effects: [] };
      const next: TurnState = { ...state, transcribing: false };
      if (event.empty) {
        const effects: Effect[] = [notifyInfo({ id: 'no-words' })];
        // Hands-free keeps listening: the learner simply says it again.
        if (next.handsFree && next.mic === 'off') {
          next.mic = 'starting';
          effects.push({ type: 'start-mic', handsFree: true });
        }
        return { state: next, effects };
      }
      return {
        state: next,
        effects: [notifyError({ id: 'api-error' }, { error: event.error, messageId: event.messageId })],
      };
    }

    case 'teacher-opens':
      // Only into silence: never over the learner or another reply.
      if (phaseOf(state) !== 'idle') return { state, effects: [] };
      return {
        state: { ...state, reply: newReply(event.replyId) },
        effects: [{ type: 'ask-teacher', replyId: event.replyId }],
      };

    case 'reply-audible':
    case 'reply-streamed':
    case 'reply-failed':
    case 'companion-failed':
    case 'speech-finished':
      return replyEvent(state, event);

    case 'retry':
    case 'send-unsent': {
      let next = state;
      const effects: Effect[] = [];
      if (next.mic === 'listening' && !next.reply) {
        // Hands-free was waiting for the next sentence: the learner chose this instead.
        next = { ...next, mic: 'off', handsFree: false };
        effects.push({ type: 'cancel-mic' });
      }
      if (phaseOf(next) !== 'idle') return { state, effects: [notifyInfo({ id: 'still-working' })] };
      if (event.type === 'retry' && event.transcribed) {
        // The transcript is fine; its reply failed: ask again (the failed reply stays, marked).
        return {
          state: { ...next, reply: newReply(event.replyId) },
          effects: [...effects, { type: 'clear-notice' }, { type: 'ask-teacher', replyId: event.replyId }],
        };
      }
      return {
        state: { ...next, transcribing: true },
        effects: [...effects, { type: 'clear-notice' }, { type: 'transcribe-again', messageId: event.messageId }],
      };
    }

    case 'stop-all': {
      // Everything the turn has in flight ends, and nothing more is written for it: the
      // conversation it belongs to is left, or deleted, once this is done.
      const effects: Effect[] = [...silencing(state)];
      if (state.readOut) effects.push({ type: 'stop-read-out', id: state.readOut.id });
      // A panel going away leaves its recording to the recording document, which keeps it as an
      // unsent turn when the panel's port closes; cancelled, it would be lost.
      if (state.mic !== 'off' && !event.closing) effects.push({ type: 'cancel-mic' });
      if (state.transcribing && state.practice) effects.push({ type: 'abandon-attempt' });
      else if (state.transcribing) effects.push({ type: 'abandon-transcription', closing: event.closing === true });
      // The corrections lane runs past the turn (its card shows when ready), so it is always asked.
      effects.push({ type: 'cancel-checks' });
      return {
        state: {
          ...state,
          mic: 'off',
          handsFree: false,
          transcribing: false,
          reply: null,
          practice: null,
          readOut: null,
        },
        effects,
      };
    }

    case 'not-saved':
      return {
        state,
        effects: [
          notifyError({ id: 'not-saved', error: event.error }, { action: 'retry-save', messageId: event.messageId }),
        ],
      };

    case 'retry-save':
      return { state, effects: [{ type: 'clear-notice' }, { type: 'save-again' }] };

    case 'microphone-allowed':
      return { state, effects: [notifyInfo({ id: 'microphone-allowed' })] };

    case 'practise':
      return practise(state, event);

    case 'attempt-judged':
    case 'attempt-failed':
      return attemptEnded(state, event);

    case 'read-out':
    case 'read-out-failed':
    case 'read-out-finished':
    case 'stop-read-out':
      return readOutEvent(state, event, phaseOf(state) === 'idle');
  }
}
