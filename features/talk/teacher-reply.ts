import type { TurnTimings } from '@/core/db/schema';
import { t } from '@/core/i18n';
import { now, type SpeechEvent } from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';
import { REPLY_OPENING_CLAUSE_MIN_WORDS, SentenceStream } from '@/common/sentence-splitter';
import { errorText, type BannerStore } from '../../panel/banner';
import { holdRenders, holdRendersFor } from '../../panel/render-gate';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import { serversLeaving } from '../settings/this-computer';
import { BrowserVoice } from './browser-voice';
import { companionTarget, voiceSpeed, type ReplySpeaker } from './reply-speaker';
import { streamReply } from './teacher-api';
import { teacherInstructions, type TeacherMemory } from './teacher-prompt';
import type { TurnEvent } from './turn-machine';
import type { UnsavedMessages } from './unsaved-messages';

/**
 * The teacher's reply: the streamed text, shown token by token and kept per sentence; each
 * finished sentence to the voice; the browser's voice when the companion cannot speak; and the
 * barge-in, which keeps what the learner heard. The turn machine decides; this carries it out.
 */
export interface TeacherReplyDeps {
  link: PanelLink;
  speaker: ReplySpeaker;
  history: HistoryStore;
  settings: SettingsSync;
  banner: BannerStore;
  unsaved: UnsavedMessages;
  dispatch(event: TurnEvent): void;
  /** What the teacher remembers of the learner (features/memory/), null when memory is off. */
  teacherMemory?(): TeacherMemory | null;
}

/** The reply being streamed and spoken: what the machine does not need to know. */
interface ReplyRun {
  id: string;
  abort: AbortController;
  sentences: string[];
  /** Sentences (by seq) that began to sound through the companion. */
  heard: Set<number>;
  /** Sentences (by seq) the companion's voice played to their end. */
  ended: Set<number>;
  streamDone: boolean;
  /** The companion failed from this sentence on; the browser's voice reads them. */
  failedFrom: number;
  browser: BrowserVoice | null;
  /** Heard sentences reported when another panel stopped this reply. */
  stoppedHeard: number[];
  unlisten(): void;
}

const noop = (): void => undefined;

export type TeacherReply = ReturnType<typeof createTeacherReply>;

export function createTeacherReply({
  link,
  speaker,
  history,
  settings,
  banner,
  unsaved,
  dispatch,
  teacherMemory,
}: TeacherReplyDeps) {
  let current: ReplyRun | null = null;
  /** A barge-in's stop on its way to the voice (the microphone's start waits for it). */
  let silencing: Promise<unknown> = Promise.resolve();

  function begin(replyId: string): ReplyRun {
    current?.unlisten();
    const run: ReplyRun = {
      id: replyId,
      abort: new AbortController(),
      sentences: [],
      heard: new Set(),
      ended: new Set(),
      streamDone: false,
      failedFrom: 0,
      browser: null,
      stoppedHeard: [],
      unlisten: noop,
    };
    run.unlisten = speaker.listen(replyId, (event) => {
      if (current === run) heard(run, event);
    });
    current = run;
    return run;
  }

  /** Asks the teacher; never rejects: what goes wrong ends the reply as failed, with Retry. */
  async function ask(replyId: string): Promise<void> {
    const retryMessageId = history.lastUserMessage()?.id;
    try {
      await stream(replyId, retryMessageId);
    } catch (error) {
      // Something no step expected (IndexedDB full, say): the reply ends visibly.
      console.error('AITalk: the reply failed', error);
      if (current?.id === replyId) {
        current.unlisten();
        current = null;
      }
      dispatch({ type: 'reply-failed', replyId, error, retryMessageId });
    }
  }

  async function stream(replyId: string, retryMessageId: string | undefined): Promise<void> {
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
        memory: teacherMemory?.() ?? null,
      }),
    );
    const last = history.messages.value.at(-1);
    const userTimings: TurnTimings = last?.role === 'user' && last.status === 'done' ? last.timings : {};
    const run = begin(replyId);
    // The panel redraws once the request is on its way (panel/render-gate.ts).
    const requesting = holdRenders();
    // A failed write does not stop the reply: it is shown and spoken, and its last write says so.
    const saved = history
      .save({
        id: replyId,
        conversationId: conversation.id,
        role: 'assistant',
        text: '',
        status: 'streaming',
        createdAt: Date.now(),
        timings: { ...userTimings },
      })
      .catch(noop);
    // The voice player is made ready while the teacher thinks, not when the first sentence is due.
    link.ensure().catch(noop);
    const splitter = new SentenceStream({ firstClauseMinWords: REPLY_OPENING_CLAUSE_MIN_WORDS });
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
      if (current !== run) return; // interrupted: interrupt() has kept what was heard
      current = null;
      run.unlisten();
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
    const failure = await history.patch(run.id, { status: 'done', text, timings: { replyDoneAt: now() } }).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    if (failure) unsaved.failed(run.id, failure.error);
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
    const queued = speaker.speak(run.id, sentence, companionTarget(settings));
    holdRendersFor(queued);
    queued.catch((error: unknown) => {
      // The voice player could not be reached: the browser's voice reads from this sentence on.
      console.warn('AITalk: could not queue sentence', seq, error);
      if (current !== run || run.browser) return;
      run.failedFrom = Math.min(run.failedFrom || seq, seq);
      dispatch({ type: 'companion-failed', replyId: run.id, unreachable: false, message: errorText(error) });
    });
  }

  function heard(run: ReplyRun, event: SpeechEvent): void {
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
      case 'ended':
        run.ended.add(event.seq);
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

  function inBrowser(replyId: string): void {
    const run = current;
    if (!run || run.id !== replyId) return; // interrupted meanwhile: nothing of it may be spoken
    run.browser = new BrowserVoice(
      () => voiceSpeed(settings),
      () => {
        if (current === run && run.streamDone) dispatch({ type: 'speech-finished', replyId: run.id, status: 'done' });
      },
      () => serversLeaving(settings.settings.value).length === 0,
    );
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
  async function interrupt(replyId: string, silence: boolean): Promise<void> {
    const run = current;
    if (!run || run.id !== replyId) return;
    const interruptedAt = now();
    current = null;
    run.unlisten();
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
    const textOf = (heard: Iterable<number>) =>
      [...heard]
        .sort((a, b) => a - b)
        .map((seq) => run.sentences[seq])
        .filter(Boolean)
        .join(' ');
    const whole = [...seqs].filter((seq) => run.ended.has(seq) || run.browser?.spoken.has(seq));
    await history
      .patch(run.id, {
        status: 'interrupted',
        text: textOf(seqs),
        spokenWhole: textOf(whole),
        fullText: history.find(run.id)?.text ?? '',
        timings: { interruptedAt, silencedAt: stopped?.stoppedAt ?? now() },
      })
      .catch((error: unknown) => unsaved.failed(run.id, error));
  }

  return {
    ask,
    /** No more sentences are coming for this reply. */
    end: (replyId: string): Promise<void> => speaker.end(replyId),
    /** The reply failed: whatever of it was queued falls silent. */
    async stopSpeech(): Promise<void> {
      await speaker.stop();
    },
    inBrowser,
    interrupt,
    silenced: (): Promise<unknown> => silencing,
  };
}
