import { companionNotice, notifyError, type Effect } from './turn-effects';
import type { Reply, Transition, TurnEvent, TurnState } from './turn-machine';

/**
 * The teacher's reply in the turn machine (turn-machine.ts): from the first audio to its end, by
 * the voice, another panel, a failure, or the companion giving way to the browser's voice.
 */

type ReplyEvent = Extract<
  TurnEvent,
  { type: 'reply-audible' | 'reply-streamed' | 'reply-failed' | 'companion-failed' | 'speech-finished' }
>;

export function newReply(id: string): Reply {
  return { id, audible: false, streamDone: false, speechDone: false, voice: 'companion' };
}

/** A reply has ended: hands-free listens again, unless the microphone is already on. */
function afterReply(state: TurnState): Transition {
  const next = { ...state, reply: null };
  if (next.handsFree && next.mic === 'off') {
    return { state: { ...next, mic: 'starting' }, effects: [{ type: 'start-mic', handsFree: true }] };
  }
  return { state: next, effects: [] };
}

/** The reply is over when the stream has ended and the voice has spoken it all. */
function maybeFinish(state: TurnState): Transition {
  const reply = state.reply;
  if (reply && reply.streamDone && reply.speechDone) return afterReply(state);
  return { state, effects: [] };
}

function sameReply(state: TurnState, replyId: string): state is TurnState & { reply: Reply } {
  return state.reply?.id === replyId;
}

export function replyEvent(state: TurnState, event: ReplyEvent): Transition {
  switch (event.type) {
    case 'reply-audible':
      if (!sameReply(state, event.replyId) || state.reply.audible) return { state, effects: [] };
      return { state: { ...state, reply: { ...state.reply, audible: true } }, effects: [] };

    case 'reply-streamed': {
      if (!sameReply(state, event.replyId)) return { state, effects: [] };
      const reply: Reply = {
        ...state.reply,
        streamDone: true,
        speechDone: state.reply.speechDone || event.sentences === 0,
      };
      const effects: Effect[] =
        event.sentences > 0 && reply.voice === 'companion' ? [{ type: 'end-speech', replyId: reply.id }] : [];
      const finished = maybeFinish({ ...state, reply });
      return { state: finished.state, effects: [...effects, ...finished.effects] };
    }

    case 'reply-failed': {
      if (!sameReply(state, event.replyId)) return { state, effects: [] };
      // Hands-free went on listening when the transcript arrived, and still is.
      return {
        state: { ...state, reply: null },
        effects: [
          { type: 'stop-speech' },
          notifyError({ id: 'api-error' }, { error: event.error, messageId: event.retryMessageId }),
        ],
      };
    }

    case 'companion-failed': {
      if (!sameReply(state, event.replyId) || state.reply.voice === 'browser') return { state, effects: [] };
      return {
        state: { ...state, reply: { ...state.reply, voice: 'browser', audible: true } },
        effects: [
          companionNotice(event.unreachable, event.message),
          { type: 'speak-in-browser', replyId: event.replyId },
        ],
      };
    }

    case 'speech-finished': {
      if (!sameReply(state, event.replyId)) return { state, effects: [] };
      if (event.status === 'stopped') {
        // Another panel took the voice: this reply ends here, with what was heard.
        const ended = afterReply(state);
        return {
          state: ended.state,
          effects: [{ type: 'mark-interrupted', replyId: event.replyId }, ...ended.effects],
        };
      }
      return maybeFinish({ ...state, reply: { ...state.reply, speechDone: true } });
    }
  }
}
