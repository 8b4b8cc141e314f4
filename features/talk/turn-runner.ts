import { computed, signal } from '@preact/signals';
import { browser } from 'wxt/browser';
import { newId, type Message, type TurnTimings } from '@/core/db/schema';
import { deleteRecording, getRecording } from '@/core/db/recordings';
import {
  now,
  type RecorderEvent,
  type SavedRecording,
  type SpeechEvent,
  type StopRecordingReply,
} from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';
import { SentenceStream } from '@/common/sentence-splitter';
import { readQuirksAhead } from '@/features/talk/server-quirks';
import { streamReply, transcribe, type Transcript } from '@/features/talk/teacher-api';
import { errorText, type BannerStore } from '../../panel/banner';
import { BrowserVoice } from './browser-voice';
import type { HistoryStore } from '../conversations/history';
import { createRecorderClient } from './recorder-client';
import { createReplySpeaker } from './reply-speaker';
import type { SettingsSync } from '../settings/settings-sync';
import {
  INITIAL_TURN_STATE,
  phaseOf,
  transition,
  turnInProgress,
  type Effect,
  type PracticeTarget,
  type TurnEvent,
} from './turn-machine';
import { compareAttempt, type AttemptComparison } from '@/features/corrections/word-diff';
import { t } from '@/core/i18n';
import { splitSentences } from '@/common/sentence-splitter';
import { holdRenders, holdRendersFor } from '@/panel/render-gate';
import { levelVoiceSpeed, teacherInstructions } from '@/features/talk/teacher-prompt';

/** "Listen slowly": three quarters of the usual pace. */
const SLOW_REPLAY = 0.75;

/**
 * The turn runner: the thin shell around the turn machine. It keeps the machine's state, carries
 * out the effects it asks for (recording, transcription, the streamed reply, the voice) and
 * feeds what happened back in as events. Decisions live in turn-machine.ts; this file only does.
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
}

/** What a practice attempt came to: what was heard, and word by word against the text. */
export interface PracticeResult {
  target: PracticeTarget;
  said: string;
  comparison: AttemptComparison;
  durationMs: number;
  at: number;
}

/** The reply being streamed and spoken: what the machine does not need to know. */
interface ReplyRun {
  id: string;
  abort: AbortController;
  sentences: string[];
  /** Sentences (by seq) that began to sound through the companion. */
  heard: Set<number>;
  streamDone: boolean;
  /** The companion failed from this sentence on; the browser's voice reads them. */
  failedFrom: number;
  browser: BrowserVoice | null;
  /** Heard sentences reported when another panel stopped this reply. */
  stoppedHeard: number[];
}

const noop = (): void => undefined;

export type TurnRunner = ReturnType<typeof createTurnRunner>;

export function createTurnRunner({ link, history, settings, banner, onAttempt, checkSentence }: TurnRunnerDeps) {
  const state = signal(INITIAL_TURN_STATE);
  const phase = computed(() => phaseOf(state.value));
  const inProgress = computed(() => turnInProgress(state.value));
  const handsFree = computed(() => state.value.handsFree);
  /** The latest result of each practice target, by its id. */
  const attempts = signal<Record<string, PracticeResult>>({});
  let current: ReplyRun | null = null;
  /**
   * A barge-in's stop on its way to the voice. The microphone's start waits for it: both are work
   * for the one main thread the panel shares with the offscreen document, and silence comes first.
   */
  let silencing: Promise<unknown> = Promise.resolve();

  const recorder = createRecorderClient(link, onRecorderEvent);
  const speaker = createReplySpeaker(link, (turnId) => current?.id === turnId, onSpeechEvent);

  function dispatch(event: TurnEvent): void {
    const { state: next, effects } = transition(state.value, event);
    state.value = next;
    for (const effect of effects) {
      execute(effect).catch((error: unknown) => failed(effect, error));
    }
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
      case 'ask-teacher':
        current = null;
        dispatch({
          type: 'reply-failed',
          replyId: effect.replyId,
          error,
          retryMessageId: history.lastUserMessage()?.id,
        });
        return;
      default:
        banner.showError(error);
    }
  }

  async function execute(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'start-mic':
        return startMic(effect.handsFree, effect.practice ? 'practice' : 'turn');
      case 'judge-attempt':
        return judgeAttempt(effect.recording, effect.target);
      case 'stop-mic':
        return stopMic();
      case 'cancel-mic':
        return recorder.cancel();
      case 'interrupt-reply':
        return endReply(effect.replyId, true);
      case 'mark-interrupted':
        return endReply(effect.replyId, false);
      case 'transcribe':
        return transcribeNew(effect.recording, effect.stopPressedAt);
      case 'transcribe-again':
        return transcribeSaved(effect.messageId);
      case 'discard-recording':
        return discard(effect.recordingId);
      case 'ask-teacher':
        return askTeacher(effect.replyId);
      case 'check-sentence':
        return checkSentence?.(effect.messageId);
      case 'end-speech':
        return speaker.end(effect.replyId);
      case 'stop-speech':
        await speaker.stop();
        return;
      case 'speak-in-browser':
        return speakInBrowser(effect.replyId);
      case 'notify':
        banner.notify(effect.notice);
        return;
      case 'clear-info':
        banner.clearInfo();
        return;
      case 'clear-notice':
        banner.clear();
        return;
      case 'open-permission-page':
        await browser.tabs.create({ url: browser.runtime.getURL('/permission.html') });
        return;
    }
  }

  // ── The microphone ─────────────────────────────────────────────────────────────────────────

  async function startMic(handsFree: boolean, purpose: 'turn' | 'practice'): Promise<void> {
    const conversation = history.conversation.value;
    if (!conversation) throw new Error(t('conversation.noConversation'));
    // What the transcription server refused before is read now, not when the upload is due.
    readQuirksAhead(settings.endpoints.value.transcription.baseUrl);
    await silencing;
    const reply = await recorder.start(conversation.id, handsFree, purpose);
    switch (reply.status) {
      case 'recording':
      case 'already-recording':
        dispatch({ type: 'mic-started' });
        return;
      case 'error':
        dispatch({ type: 'mic-refused', reason: 'error', message: reply.message });
        return;
      default:
        dispatch({ type: 'mic-refused', reason: reply.status });
    }
  }

  async function stopMic(): Promise<void> {
    const stopPressedAt = now();
    const stopping = recorder.stop();
    // The recording document shares this thread: the press's redraw waits until it has stopped.
    holdRendersFor(stopping);
    let result: StopRecordingReply;
    try {
      result = await stopping;
    } catch (error) {
      result = { status: 'error', message: errorText(error) };
    }
    dispatch({ type: 'recording-ended', result, stopPressedAt });
  }

  /** Deletes a just-stopped recording once its write is done (a failed write left nothing). */
  async function discard(recordingId: string): Promise<void> {
    const written = await recorder.stored(recordingId).then(
      () => true,
      () => false,
    );
    if (written) await deleteRecording(recordingId);
  }

  /** A recording from IndexedDB, once a write still under way for it is done. */
  async function storedRecording(recordingId: string) {
    await recorder.stored(recordingId);
    return getRecording(recordingId);
  }

  function onRecorderEvent(event: RecorderEvent): void {
    switch (event.type) {
      case 'speech-start':
        dispatch({ type: 'speech-start' });
        return;
      case 'auto-stopped': {
        const result = event.result;
        dispatch({
          type: 'recording-ended',
          result,
          stopPressedAt: result.status === 'saved' ? result.stopRequestedAt : now(),
        });
        return;
      }
      case 'idle-timeout':
        dispatch({ type: 'idle-timeout' });
        return;
      case 'error':
        dispatch({ type: 'mic-failed', message: event.message });
        return;
      case 'level':
      case 'recording-stored':
      case 'recording-store-failed':
        return;
    }
  }

  // ── Transcription ──────────────────────────────────────────────────────────────────────────

  async function transcribeNew(recording: SavedRecording, stopPressedAt: number): Promise<void> {
    // The recording document handed the audio over in memory and writes it to IndexedDB beside
    // the upload (or wrote it before replying): the turn exists before anything is uploaded, so
    // a failed upload loses nothing. A failed write is said; the turn goes on from memory.
    const message: Message = {
      id: newId(),
      conversationId: recording.conversationId,
      role: 'user',
      text: '',
      status: 'transcribing',
      createdAt: Date.now(),
      recordingId: recording.recordingId,
      timings: {
        stopPressedAt: Math.min(stopPressedAt, recording.stopRequestedAt),
        recordingStoppedAt: recording.stoppedAt,
        recordingSavedAt: recording.savedAt,
      },
    };
    if (recording.writing) {
      recorder.stored(recording.recordingId).then(
        (at) => {
          if (at !== undefined) history.patch(message.id, { timings: { recordingSavedAt: at } }, false).catch(noop);
        },
        (error: unknown) => banner.showError(error),
      );
    }
    // Written while the audio is read and uploaded, not before: the write is not on the way to
    // the teacher's first word. The panel redraws once the upload is on its way (render-gate.ts).
    const uploading = holdRenders();
    const saved = history.save(message);
    try {
      await transcribeMessage(message.id, recording.recordingId, saved, {
        mimeType: recording.mimeType,
        durationMs: recording.durationMs,
        onSent: uploading,
      });
    } finally {
      uploading();
    }
  }

  async function transcribeSaved(messageId: string): Promise<void> {
    const message = history.find(messageId);
    if (!message?.recordingId) {
      dispatch({
        type: 'transcription-failed',
        messageId,
        error: new Error(t('conversation.recordingGone')),
        empty: false,
      });
      return;
    }
    const saved = history.patch(messageId, { status: 'transcribing', error: undefined });
    await transcribeMessage(messageId, message.recordingId, saved.then(noop));
  }

  async function transcribeMessage(
    messageId: string,
    recordingId: string,
    saved: Promise<void>,
    fresh?: { mimeType: string; durationMs: number; onSent?(): void },
  ): Promise<void> {
    let transcript: Transcript;
    let recordingS: number;
    try {
      // A recording just made is uploaded from memory (handed over by the recording document);
      // a retry, or one offered back after the panel closed, is read from IndexedDB.
      const handed = fresh && (await recorder.takeAudio(recordingId));
      const recording = handed ? { ...fresh, blob: handed } : await storedRecording(recordingId);
      if (!recording) throw new Error(t('conversation.recordingGone'));
      recordingS = recording.durationMs / 1000;
      [transcript] = await Promise.all([
        transcribe(settings.endpoints.value.transcription, recording.blob, recording.mimeType, {
          onSent: () => {
            history.patch(messageId, { timings: { uploadSentAt: now() } }, false).catch(noop);
            fresh?.onSent?.();
          },
          onRetry: (problem, _attempt, delayMs) =>
            banner.info(t('banner.retrying', { problem: problem.message, seconds: Math.round(delayMs / 1000) })),
        }),
        saved,
      ]);
    } catch (error) {
      await history.patch(messageId, { status: 'failed', error: errorText(error) });
      dispatch({ type: 'transcription-failed', messageId, error, empty: false });
      return;
    }
    const { text, words } = transcript;
    if (!text) {
      await history.patch(messageId, { status: 'failed', error: t('conversation.noWordsRecognised') });
      dispatch({ type: 'transcription-failed', messageId, error: null, empty: true });
      return;
    }
    // Shown (and so part of what the teacher is sent) at once; written to IndexedDB meanwhile.
    const written = history.patch(messageId, {
      text,
      status: 'done',
      error: undefined,
      timings: { transcriptAt: now() },
      // Kept for the session's fluency figures (features/corrections/fluency.ts).
      ...(words?.length ? { words } : {}),
      durationS: transcript.durationS || recordingS,
    });
    dispatch({ type: 'transcribed', messageId, replyId: newId() });
    await written;
  }

  // ── Practice attempts: judged locally, never a teacher turn ─────────────────────────────────

  async function judgeAttempt(recording: SavedRecording, target: PracticeTarget): Promise<void> {
    try {
      const handed = await recorder.takeAudio(recording.recordingId);
      const stored = handed ? { blob: handed } : await storedRecording(recording.recordingId);
      if (!stored) throw new Error(t('correction.attemptLost'));
      // No prompt: a prompt holding (or hinting at) the target would let the transcription
      // "hear" what the learner was meant to say rather than what they said.
      const endpoint = { ...settings.endpoints.value.transcription, prompt: '' };
      const { text } = await transcribe(endpoint, stored.blob, recording.mimeType);
      const result: PracticeResult = {
        target,
        said: text,
        comparison: compareAttempt(target.text, text),
        durationMs: recording.durationMs,
        at: Date.now(),
      };
      attempts.value = { ...attempts.value, [target.id]: result };
      await onAttempt?.(result);
      dispatch({ type: 'attempt-judged', targetId: target.id });
    } finally {
      // The attempt's audio is not part of any conversation.
      await discard(recording.recordingId);
    }
  }

  // ── The teacher's reply: streamed text, spoken sentence by sentence ────────────────────────

  async function askTeacher(replyId: string): Promise<void> {
    const conversation = history.conversation.value;
    if (!conversation) throw new Error(t('conversation.noConversation'));
    const s = settings.settings.value;
    const chat = history.chat(
      teacherInstructions({
        level: s.level,
        scenario: s.scenario,
        ownTopic: s.ownTopic,
        style: s.teacherStyle,
        customInstructions: s.teacherInstructions,
        explanationLanguage: s.explanationLanguage,
      }),
    );
    const last = history.messages.value.at(-1);
    const userTimings: TurnTimings = last?.role === 'user' && last.status === 'done' ? last.timings : {};
    const retryMessageId = history.lastUserMessage()?.id;
    const run: ReplyRun = {
      id: replyId,
      abort: new AbortController(),
      sentences: [],
      heard: new Set(),
      streamDone: false,
      failedFrom: 0,
      browser: null,
      stoppedHeard: [],
    };
    current = run;
    // The panel redraws once the request is on its way (render-gate.ts).
    const requesting = holdRenders();
    const saved = history.save({
      id: replyId,
      conversationId: conversation.id,
      role: 'assistant',
      text: '',
      status: 'streaming',
      createdAt: Date.now(),
      timings: { ...userTimings },
    });
    // The voice player is made ready while the teacher thinks, not when the first sentence is due.
    link.ensure().catch(noop);
    const splitter = new SentenceStream();
    let text = '';
    let firstToken = true;
    try {
      await streamReply(
        settings.endpoints.value.chat,
        chat,
        (delta) => {
          if (current !== run) return;
          text += delta;
          const timings: TurnTimings = firstToken ? { firstTokenAt: now() } : {};
          firstToken = false;
          const sentences = splitter.push(delta);
          if (sentences.length && run.sentences.length === 0) timings.firstSentenceAt = now();
          for (const sentence of sentences) speak(run, sentence);
          // Every token is shown at once; IndexedDB is written per sentence, not per token.
          history.patch(run.id, { text, timings }, sentences.length > 0).catch(noop);
        },
        {
          signal: run.abort.signal,
          onSent: () => {
            history.patch(run.id, { timings: { chatSentAt: now() } }, false).catch(noop);
            requesting();
          },
          onRetry: (problem, _attempt, delayMs) =>
            banner.info(t('banner.retrying', { problem: problem.message, seconds: Math.round(delayMs / 1000) })),
        },
      );
      await saved;
    } catch (error) {
      requesting();
      if (current !== run) return; // interrupted: endReply has kept what was heard
      current = null;
      run.browser?.cancel();
      // Part of a reply may have arrived: it stays visible, marked failed, and is not sent to
      // the model again (Retry asks for a whole new reply).
      await history.patch(run.id, { status: 'failed', text, error: errorText(error) });
      dispatch({ type: 'reply-failed', replyId: run.id, error, retryMessageId });
      return;
    }
    if (current !== run) return;
    const rest = splitter.flush();
    if (rest.length && run.sentences.length === 0)
      history.patch(run.id, { timings: { firstSentenceAt: now() } }, false).catch(noop);
    for (const sentence of rest) speak(run, sentence);
    run.streamDone = true;
    await history.patch(run.id, { status: 'done', text, timings: { replyDoneAt: now() } });
    if (current !== run) return;
    dispatch({ type: 'reply-streamed', replyId: run.id, sentences: run.sentences.length });
    if (run.browser && !run.browser.busy) dispatch({ type: 'speech-finished', replyId: run.id, status: 'done' });
  }

  function speak(run: ReplyRun, sentence: string): void {
    const seq = run.sentences.push(sentence) - 1;
    if (run.browser) {
      run.browser.say([{ seq, text: sentence }]);
      return;
    }
    const { companionUrl, companionToken, voice } = settings.settings.value;
    const queued = speaker.speak(run.id, sentence, {
      url: companionUrl,
      token: companionToken,
      voice,
      speed: voiceSpeed(),
    });
    holdRendersFor(queued);
    queued.catch((error: unknown) => {
      // The voice player could not be reached: the browser's voice reads from this sentence on.
      console.warn('AITalk: could not queue sentence', seq, error);
      if (current !== run || run.browser) return;
      run.failedFrom = Math.min(run.failedFrom || seq, seq);
      dispatch({ type: 'companion-failed', replyId: run.id, unreachable: false, message: errorText(error) });
    });
  }

  function onSpeechEvent(event: SpeechEvent): void {
    const run = current;
    if (!run || event.turnId !== run.id) return; // a stale event from an interrupted reply
    switch (event.type) {
      case 'started':
        run.heard.add(event.seq);
        if (event.seq === 0) history.patch(run.id, { timings: { firstAudioAt: event.at } }).catch(noop);
        dispatch({ type: 'reply-audible', replyId: run.id });
        return;
      case 'failed':
        // Every sentence from the failed one on, as the panel sent them: this includes any sent
        // after the failure, which the offscreen document refused.
        run.failedFrom = event.seq;
        dispatch({
          type: 'companion-failed',
          replyId: run.id,
          unreachable: event.companionUnreachable,
          message: event.message,
        });
        return;
      case 'finished':
        if (run.browser || event.status === 'failed') return;
        if (event.status === 'stopped') run.stoppedHeard = event.heard;
        dispatch({ type: 'speech-finished', replyId: run.id, status: event.status });
        return;
      default:
        return;
    }
  }

  function speakInBrowser(replyId: string): void {
    const run = current;
    if (!run || run.id !== replyId) return; // interrupted meanwhile: nothing of it may be spoken
    run.browser = new BrowserVoice(voiceSpeed, () => {
      if (current === run && run.streamDone) dispatch({ type: 'speech-finished', replyId: run.id, status: 'done' });
    });
    const unplayed = run.sentences
      .map((text, seq) => ({ seq, text }))
      .filter(({ seq }) => seq >= run.failedFrom && !run.heard.has(seq));
    run.browser.say(unplayed);
  }

  /**
   * Ends a reply before its end: a barge-in (`silence`: stop the voice now) or another panel
   * having taken the voice. What the learner heard is kept as the reply, marked interrupted, and
   * is what the teacher is told it said.
   */
  async function endReply(replyId: string, silence: boolean): Promise<void> {
    const run = current;
    if (!run || run.id !== replyId) return;
    const interruptedAt = now();
    current = null;
    // The voice is told first: silence is what the learner waits for; the stream can end after.
    // The panel shares its main thread with the offscreen document, so nothing else may run
    // before the stop is handled there: the redraw waits (panel/render-gate.ts), and so do the
    // microphone's start and the stream's abort, whose handlers run on that same thread (its
    // deltas are ignored from now on). Barge-in stop, measured: 8–18 ms before, 2–4 ms since.
    const stopping = silence ? speaker.stop().catch(() => null) : null;
    if (stopping) {
      silencing = stopping;
      holdRendersFor(stopping);
      void stopping.then(() => run.abort.abort());
    } else {
      run.abort.abort();
    }
    run.browser?.cancel();
    const stopped = await stopping;
    const fromVoice = stopped?.turnId === run.id ? stopped.heard : run.stoppedHeard;
    const seqs = new Set([...fromVoice, ...run.heard, ...(run.browser?.heard ?? [])]);
    const heard = [...seqs]
      .sort((a, b) => a - b)
      .map((seq) => run.sentences[seq])
      .filter(Boolean)
      .join(' ');
    await history.patch(run.id, {
      status: 'interrupted',
      text: heard,
      fullText: history.find(run.id)?.text ?? '',
      timings: { interruptedAt, silencedAt: stopped?.stoppedAt ?? now() },
    });
  }

  /** The learner's speed setting, paced for their level (slower voices for A2 and B1). */
  function voiceSpeed(): number {
    const { speed, level } = settings.settings.value;
    return Math.round(speed * levelVoiceSpeed(level) * 100) / 100;
  }

  let replaying: string | null = null;

  /**
   * Listening aid: the companion says a reply again (from its cache when it still has it), slower
   * when asked. Only between turns; its speech events are not a turn's, so the machine ignores them.
   */
  async function replay(text: string, slow: boolean): Promise<void> {
    if (phase.value !== 'idle') return;
    await stopReplay();
    const id = `replay-${newId()}`;
    replaying = id;
    const { companionUrl, companionToken, voice } = settings.settings.value;
    const speed = Math.round(voiceSpeed() * (slow ? SLOW_REPLAY : 1) * 100) / 100;
    for (const sentence of splitSentences(text)) {
      await speaker.speak(id, sentence, { url: companionUrl, token: companionToken, voice, speed });
    }
    await speaker.end(id);
  }

  async function stopReplay(): Promise<void> {
    if (!replaying) return;
    replaying = null;
    await speaker.stop().catch(() => undefined);
  }

  return {
    state,
    phase,
    replay,
    stopReplay,
    inProgress,
    handsFree,
    level: recorder.level,
    elapsedMs: recorder.elapsedMs,
    attempts,
    dispatch,
    dispose(): void {
      recorder.dispose();
      speaker.dispose();
    },
  };
}
