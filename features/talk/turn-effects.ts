import type { SavedRecording } from '@/core/messages';
import type { PracticeTarget, SampleVoice, TurnState } from './turn-machine';

/**
 * What the turn machine (turn-machine.ts) asks the panel to do, and the notices it chooses for
 * the banner. The turn runner (turn-runner.ts) hands each effect to the part that carries it out.
 */

export type Notice =
  | {
      kind: 'error';
      text: NoticeText;
      /** `retry-save`: write again what could not be saved (`messageId` is one of them). */
      action?: 'retry' | 'retry-save' | 'settings' | 'microphone';
      messageId?: string;
      error?: unknown;
    }
  | { kind: 'info'; text: NoticeText; action?: 'settings' | 'microphone' };

/** The banner texts the machine chooses; the banner module words them. */
export type NoticeText =
  | { id: 'no-key' }
  | { id: 'permission-needed' }
  | { id: 'permission-denied' }
  | { id: 'no-microphone' }
  | { id: 'busy-elsewhere' }
  | { id: 'mic-error'; detail: string }
  | { id: 'mic-stopped'; detail: string }
  | { id: 'attempt-mic-stopped'; detail: string }
  | { id: 'recording-failed'; detail: string }
  | { id: 'heard-nothing' }
  | { id: 'no-words' }
  | { id: 'still-working' }
  | { id: 'hands-free-paused' }
  | { id: 'hands-free-idle' }
  | { id: 'microphone-allowed' }
  | { id: 'companion-unreachable' }
  | { id: 'companion-failed'; detail: string }
  | { id: 'not-saved'; error: unknown }
  | { id: 'api-error' };

export type Effect =
  | { type: 'start-mic'; handsFree: boolean; practice?: boolean }
  | { type: 'stop-mic' }
  | { type: 'cancel-mic' }
  /** Barge-in: silence the teacher now and keep what was heard. */
  | { type: 'interrupt-reply'; replyId: string }
  /** Save the learner's turn and transcribe it. */
  | { type: 'transcribe'; recording: SavedRecording; stopPressedAt: number }
  /** Transcribe a practice attempt and compare it with its text, locally; then delete its audio. */
  | { type: 'judge-attempt'; recording: SavedRecording; target: PracticeTarget }
  | { type: 'transcribe-again'; messageId: string }
  /** Nothing was said: keep no audio of the room. */
  | { type: 'discard-recording'; recordingId: string }
  | { type: 'ask-teacher'; replyId: string }
  /**
   * The corrections lane: check the learner's sentence beside the spoken reply. Always after
   * ask-teacher, so the reply's request is on its way first; its outcome is the card's, not the turn's.
   */
  | { type: 'check-sentence'; messageId: string }
  /** No more sentences are coming for this reply. */
  | { type: 'end-speech'; replyId: string }
  /** The reply failed: silence whatever of it was queued. */
  | { type: 'stop-speech' }
  | { type: 'speak-in-browser'; replyId: string }
  /** The reply was stopped from elsewhere: keep what was heard, as after an interruption. */
  | { type: 'mark-interrupted'; replyId: string }
  /** A text read in the teacher's voice between turns (features/listening/read-out.ts). */
  | { type: 'start-read-out'; id: string; text: string; slow: boolean; sample?: SampleVoice }
  | { type: 'stop-read-out'; id: string }
  | { type: 'read-out-in-browser'; id: string }
  /**
   * The conversation changes (or the panel goes away) mid-turn: the upload or the attempt being
   * judged, and the corrections checks, are aborted; nothing more is written for them.
   */
  | { type: 'abandon-transcription'; closing: boolean }
  | { type: 'abandon-attempt' }
  | { type: 'cancel-checks' }
  /** Write again the messages whose write failed (they are still shown). */
  | { type: 'save-again' }
  | { type: 'notify'; notice: Notice }
  /** Clears an info notice (errors stay until dismissed or replaced). */
  | { type: 'clear-info' }
  | { type: 'clear-notice' }
  | { type: 'open-permission-page' };

export const notifyError = (text: NoticeText, extra: Partial<Extract<Notice, { kind: 'error' }>> = {}): Effect => ({
  type: 'notify',
  notice: { kind: 'error', text, ...extra },
});

export const notifyInfo = (text: NoticeText, action?: 'settings' | 'microphone'): Effect => ({
  type: 'notify',
  notice: { kind: 'info', text, action },
});

/** Silences the reply in progress, if any. */
export function silencing(state: TurnState): Effect[] {
  return state.reply ? [{ type: 'interrupt-reply', replyId: state.reply.id }] : [];
}

/** The companion failed: the browser's voice reads on, and the banner says why (a reply's or a read-out's). */
export function companionNotice(unreachable: boolean, message: string): Effect {
  return unreachable
    ? notifyInfo({ id: 'companion-unreachable' }, 'settings')
    : notifyInfo({ id: 'companion-failed', detail: message });
}
