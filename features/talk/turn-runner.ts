import { computed, signal } from '@preact/signals';
import { browser } from 'wxt/browser';
import { now } from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';
import { errorText, type BannerStore } from '../../panel/banner';
import type { HistoryStore } from '../conversations/history';
import { createReadOut } from '../listening/read-out';
import type { SettingsSync } from '../settings/settings-sync';
import { createMicrophone } from './microphone';
import { createPracticeAttempts, type PracticeResult } from './practice-attempts';
import { createRecorderClient } from './recorder-client';
import { createReplySpeaker } from './reply-speaker';
import { createTeacherReply } from './teacher-reply';
import type { TeacherMemory } from './teacher-prompt';
import { createTranscription } from './transcription';
import { createUnsavedMessages } from './unsaved-messages';
import { INITIAL_TURN_STATE, phaseOf, transition, turnInProgress, type Effect, type TurnEvent } from './turn-machine';

export type { PracticeResult } from './practice-attempts';

/**
 * The turn runner: the thin shell around the turn machine (turn-machine.ts). It keeps the
 * machine's state and hands each effect the machine asks for to the part that carries it out —
 * the microphone (microphone.ts), the transcription (transcription.ts), the teacher's reply
 * (teacher-reply.ts), practice attempts (practice-attempts.ts) and read-outs
 * (features/listening/read-out.ts) — which feed what happened back in as events. It decides nothing.
 */

export interface TurnRunnerDeps {
  link: PanelLink;
  history: HistoryStore;
  settings: SettingsSync;
  banner: BannerStore;
  /** A practice attempt was judged (the notebook updates the item's review). */
  onAttempt?(result: PracticeResult): Promise<void>;
  /** The corrections lane of a learner turn; it shows its own outcome and never fails the turn. */
  checkSentence?(messageId: string): Promise<void>;
  /** Aborts every corrections check still out; resolves once none of them can write any more. */
  cancelChecks?(): Promise<void>;
  /** What the teacher remembers of the learner, put in its instructions (null: memory off). */
  teacherMemory?(): TeacherMemory | null;
}

export type TurnRunner = ReturnType<typeof createTurnRunner>;

export function createTurnRunner({
  link,
  history,
  settings,
  banner,
  onAttempt,
  checkSentence,
  cancelChecks,
  teacherMemory,
}: TurnRunnerDeps) {
  const state = signal(INITIAL_TURN_STATE);
  const phase = computed(() => phaseOf(state.value));
  const inProgress = computed(() => turnInProgress(state.value));
  const handsFree = computed(() => state.value.handsFree);

  const recorder = createRecorderClient(link, (event) => microphone.heard(event));
  const speaker = createReplySpeaker(link);
  const unsaved = createUnsavedMessages(history, dispatch);
  const reply = createTeacherReply({ link, speaker, history, settings, banner, unsaved, dispatch, teacherMemory });
  const microphone = createMicrophone({ recorder, history, settings, dispatch, silenced: reply.silenced });
  const transcription = createTranscription({ recorder, history, settings, banner, unsaved, dispatch });
  const practice = createPracticeAttempts({ recorder, settings, dispatch, onAttempt });
  const readOut = createReadOut({ speaker, settings, dispatch });

  let disposed = false;

  /** Resolves once every effect the event led to has been carried out. */
  async function run(event: TurnEvent): Promise<void> {
    if (disposed) return;
    const { state: next, effects } = transition(state.value, event);
    state.value = next;
    // Each effect starts in the machine's order; none waits for the one before.
    await Promise.all(effects.map((effect) => execute(effect).catch((error: unknown) => failed(effect, error))));
  }

  function dispatch(event: TurnEvent): void {
    void run(event);
  }

  /** An effect threw where nothing expected it to (IndexedDB full, say): the turn ends visibly. */
  function failed(effect: Effect, error: unknown): void {
    console.error('AITalk: a step of the turn failed', effect.type, error);
    switch (effect.type) {
      case 'start-mic':
        dispatch({ type: 'mic-refused', reason: 'error', message: errorText(error) });
        return;
      case 'stop-mic':
        dispatch({
          type: 'recording-ended',
          result: { status: 'error', message: errorText(error) },
          stopPressedAt: now(),
        });
        return;
      case 'transcribe':
        dispatch({ type: 'transcription-failed', messageId: '', error, empty: false });
        return;
      case 'transcribe-again':
        dispatch({ type: 'transcription-failed', messageId: effect.messageId, error, empty: false });
        return;
      case 'judge-attempt':
        dispatch({ type: 'attempt-failed', targetId: effect.target.id, error });
        return;
      default:
        banner.showError(error);
    }
  }

  async function execute(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'start-mic':
        return microphone.start(effect.handsFree, effect.practice ? 'practice' : 'turn');
      case 'stop-mic':
        return microphone.stop();
      case 'cancel-mic':
        return microphone.cancel();
      case 'discard-recording':
        return microphone.discard(effect.recordingId);
      case 'transcribe':
        return transcription.transcribeNew(effect.recording, effect.stopPressedAt);
      case 'transcribe-again':
        return transcription.transcribeSaved(effect.messageId);
      case 'judge-attempt':
        return practice.judge(effect.recording, effect.target);
      case 'ask-teacher':
        return reply.ask(effect.replyId);
      case 'check-sentence':
        return checkSentence?.(effect.messageId);
      case 'cancel-checks':
        return cancelChecks?.();
      case 'abandon-transcription':
        return transcription.abandon(effect.closing);
      case 'abandon-attempt':
        return practice.abandon();
      case 'end-speech':
        return reply.end(effect.replyId);
      case 'stop-speech':
        return reply.stopSpeech();
      case 'speak-in-browser':
        return reply.inBrowser(effect.replyId);
      case 'interrupt-reply':
        return reply.interrupt(effect.replyId, true);
      case 'mark-interrupted':
        return reply.interrupt(effect.replyId, false);
      case 'start-read-out':
        return readOut.start(effect.id, effect.text, effect.slow, effect.sample);
      case 'stop-read-out':
        return readOut.stop(effect.id);
      case 'read-out-in-browser':
        return readOut.inBrowser(effect.id);
      case 'save-again':
        return unsaved.saveAgain();
      case 'notify':
        return banner.notify(effect.notice);
      case 'clear-info':
        return banner.clearInfo();
      case 'clear-notice':
        return banner.clear();
      case 'open-permission-page':
        await browser.tabs.create({ url: browser.runtime.getURL('/permission.html') });
        return;
    }
  }

  return {
    state,
    phase,
    inProgress,
    handsFree,
    level: recorder.level,
    elapsedMs: recorder.elapsedMs,
    /** The latest result of each practice target, by its id. */
    attempts: practice.attempts,
    /** The audio of the latest attempt at a practice target, while its conversation is open. */
    attemptAudio: practice.audioOf,
    dispatch,
    /** How the latest voice sample went (started by a 'read-out' event with `sample`). */
    sample: readOut.sample,
    /**
     * Another conversation is opened or deleted: the turn's work ends, and resolves once nothing
     * more of it can be written (so the conversation may be left, or deleted, after this).
     */
    async stopAll(): Promise<void> {
      await run({ type: 'stop-all' });
      practice.forgetAudio();
    },
    /** The panel goes away: as stopAll, then nothing more is heard or done. */
    async dispose(): Promise<void> {
      const ending = run({ type: 'stop-all', closing: true });
      disposed = true;
      await ending;
      practice.forgetAudio();
      recorder.dispose();
      speaker.dispose();
    },
  };
}
