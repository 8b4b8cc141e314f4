import { signal } from '@preact/signals';
import { newId } from '@/core/db/schema';
import { onDatabaseBlocked } from '@/core/db/open';
import { onMessage } from '@/core/messages';
import { createPanelLink } from '@/core/panel-link';
import type { Settings } from '@/features/settings/settings';
import { createRecordingsStorage } from '@/features/settings/recordings-storage';
import { noKeyMessage } from '@/core/api-errors';
import { applyInterfaceLanguage, t } from '@/core/i18n';
import { createBanner, errorText } from './banner';
import { createShown } from './shown';
import { createHistory } from '../features/conversations/history';
import { createSettingsSync } from '../features/settings/settings-sync';
import { createPageSession } from '../features/page/page-session';
import { createPageQuestion, pageActions } from '../features/page/page-actions';
import { watchPageRequests, watchTalkRequests } from '../features/talk/shortcut-requests';
import { practiceActions } from '../features/talk/practice-actions';
import { createTurnRunner } from '../features/talk/turn-runner';
import { createNaturalVoiceWatch } from '../features/voice/natural-voice';
import { voiceActions } from '../features/voice/voice-actions';
import { createCorrections } from '../features/corrections/corrections-store';
import { createNotebook } from '../features/corrections/notebook-store';
import { notebookActions, refreshNotebookQuietly } from '../features/corrections/notebook-actions';
import { createSounds, soundsWorkedOnSince } from '../features/pronunciation/sounds-store';
import { createMemory } from '../features/memory/memory-store';
import { memoryActions, refreshMemoryQuietly } from '../features/memory/memory-actions';
import { createProgress } from '../features/progress/progress-store';
import { listJudgedAttemptsSince } from '../core/db/sounds';

/**
 * The side panel's state and everything the learner can do, as signals plus actions
 * (docs/ARCHITECTURE.md, "State in the panel"): a composition of small modules, each one concern —
 * settings-sync (settings and key), history (conversations and messages, mirrored to IndexedDB),
 * banner (the message line), turn-machine + turn-runner and its parts (what a press, a recording,
 * a reply or a read-out does), recorder-client and reply-speaker (the offscreen document's
 * microphone and voice), browser-voice (the fallback voice), shortcut-requests (the keyboard shortcut).
 * What a feature's views may do comes from that feature's `xxxActions(...)` helper (notebook, memory, page,
 * practice, voice), each failure shown in the banner through panel/shown.ts.
 */

export type PanelStore = ReturnType<typeof createPanelStore>;

export function createPanelStore() {
  const link = createPanelLink();
  const settings = createSettingsSync();
  const history = createHistory();
  const banner = createBanner(() => settings.settings.value.companionUrl);
  /** An action whose failure the learner sees in the banner; it never rejects. */
  const shown = createShown(banner);
  const notebook = createNotebook();
  const refreshNotebook = () => refreshNotebookQuietly(notebook);
  const corrections = createCorrections({ history, settings, onChanged: refreshNotebook });
  const sounds = createSounds();
  // The sounds a learner works on: those their judged practice attempts went wrong in (the Sounds tab).
  const memory = createMemory({ settings, sounds: soundsWorkedOnSince });
  const refreshMemory = () => refreshMemoryQuietly(memory);
  const progress = createProgress({
    scenario: () => settings.settings.value.scenario,
    // Every judged pronunciation attempt (the Sounds store keeps their scores).
    pronunciation: () => listJudgedAttemptsSince(0),
  });
  const turn = createTurnRunner({
    teacherMemory: memory.forTeacher,
    link,
    history,
    settings,
    banner,
    checkSentence: corrections.check,
    cancelChecks: corrections.cancel,
    // A reading of a page selection is kept with the page (if transcribed: its score is the words heard);
    // "Say it again" updates the notebook; a judged pronunciation also goes to the notebook's sounds.
    onAttempt: async (result) => {
      if (result.pronunciation?.kind === 'judged')
        await sounds.onAttempt(result, history.conversation.value?.id ?? null);
      if (result.target.kind !== 'read-aloud') await corrections.onAttempt(result);
      else if (result.comparison) await page.keepReading(result);
    },
  });
  const pageQuestion = createPageQuestion({ turn, settings, banner });
  const page = createPageSession({
    history,
    settings,
    banner,
    teacherOpens: pageQuestion.ask,
    practise: (target) => turn.dispatch({ type: 'practise', target, hasKey: settings.hasKey.value }),
    readOut: async (text) => readOut(`read-out-${newId()}`, text, false),
    pageShortcutName: () => pageShortcut.value,
  });

  const naturalVoice = createNaturalVoiceWatch({
    companion: () => ({ url: settings.settings.value.companionUrl, token: settings.settings.value.companionToken }),
  });

  const ready = signal(false);
  /** Start-up failed (IndexedDB or storage unavailable): the panel shows this with Reload. */
  const startupError = signal<string | null>(null);
  /** The talk shortcut as Chrome has it (the learner may have changed it, or it may be unset). */
  const shortcut = signal('');
  /** The page shortcut as Chrome has it. */
  const pageShortcut = signal('');
  const storage = createRecordingsStorage(settings);
  const disposers: Array<() => void> = [];

  function press(): void {
    turn.dispatch({
      type: 'press',
      hasKey: settings.hasKey.value,
      handsFreeSetting: settings.settings.value.handsFree,
    });
  }

  /** Reads a text in the teacher's voice between turns; Talk (or a turn starting) silences it. */
  function readOut(id: string, text: string, slow: boolean): void {
    turn.dispatch({ type: 'read-out', id, text, slow });
  }

  /** The teacher opens a conversation with a question. */
  function teacherOpens(): void {
    if (settings.hasKey.value && history.messages.value.length === 0) {
      turn.dispatch({ type: 'teacher-opens', replyId: newId() });
    }
  }

  /**
   * Before the conversation changes: the teacher falls silent, the microphone is released, and
   * every request of the turn is aborted; resolves once nothing more of it can be written.
   */
  function stopEverything(): Promise<void> {
    return turn.stopAll();
  }

  function offerUnsent(): void {
    if (history.unsent.value.length > 0) {
      banner.info(t('app.unsentOffer'));
    }
  }

  async function init(): Promise<void> {
    onDatabaseBlocked(() => banner.info(t('app.databaseBlocked')));
    try {
      await settings.load();
      await applyInterfaceLanguage(settings.settings.value.interfaceLanguage);
      await storage.applyRetention();
      await storage.adoptOrphans();
      const started = await history.openLatest();
      await history.refresh();
      // Before the opening question: the teacher's instructions carry what it remembers.
      await refreshMemory();
      ready.value = true;
      refreshNotebook();
      progress.offerWeekly().catch((error: unknown) => console.warn('AITalk: could not sum up the week', error));
      if (!settings.hasKey.value) banner.notify({ kind: 'info', text: { id: 'no-key' }, action: 'settings' });
      else if (started) teacherOpens();
      offerUnsent();
    } catch (error) {
      console.error('AITalk: the panel could not start', error);
      startupError.value = t('app.startupFailed', { detail: errorText(error) });
      return;
    }
    storage.refresh().catch((error: unknown) => console.warn('AITalk: could not measure recordings', error));
    naturalVoice.start();
    // The recording document is made ready now, not on the learner's first press.
    link.ensure().catch((error: unknown) => console.warn('AITalk: the recorder is not ready yet', error));
    disposers.push(onMessage('sidepanel:microphone-allowed', () => turn.dispatch({ type: 'microphone-allowed' })));

    // Neither is essential: without them the panel answers every shortcut press and names none.
    const windowId = (await chrome.windows.getCurrent().catch(() => undefined))?.id;
    const commands = await chrome.commands.getAll().catch(() => []);
    shortcut.value = commands.find((command) => command.name === 'toggle-talk')?.shortcut ?? '';
    pageShortcut.value = commands.find((command) => command.name === 'talk-about-page')?.shortcut ?? '';
    disposers.push(watchTalkRequests(windowId, press));
    disposers.push(
      watchPageRequests(windowId, (request) => {
        page.handle(request.action, request.result).catch((error: unknown) => banner.showError(error));
      }),
    );
  }

  async function openConversation(id: string): Promise<void> {
    await stopEverything();
    if (await history.open(id)) {
      banner.clear();
      offerUnsent();
    }
  }

  async function newConversation(): Promise<void> {
    await stopEverything();
    const ended = history.conversation.value;
    // The conversation that ends gets its session card (when the learner spoke in it).
    const summarised = ended ? await notebook.summarize(ended.id) : false;
    if (!summarised) notebook.closeSession();
    // The facts it proposes come in while the next conversation starts.
    if (ended)
      void memory.propose(ended.id).catch((error: unknown) => console.warn('AITalk: no facts proposed', error));
    await history.create();
    // Its mistakes count towards the next conversation's focus.
    await refreshMemory();
    banner.clear();
    // The opening question streams in while the panel is already usable.
    teacherOpens();
  }

  return {
    phase: turn.phase,
    level: turn.level,
    elapsedMs: turn.elapsedMs,
    handsFree: turn.handsFree,
    turnInProgress: turn.inProgress,
    conversation: history.conversation,
    messages: history.messages,
    /** How many messages of the open conversation are older than those in `messages`. */
    earlierMessages: history.earlier,
    /** "Show earlier messages": the previous ones come back from IndexedDB. */
    showEarlier: shown(() => t('app.actionShowEarlier'), history.showEarlier),
    conversations: history.conversations,
    banner: banner.banner,
    settings: settings.settings,
    apiKey: settings.apiKey,
    transcriptionKey: settings.transcriptionKey,
    hasKey: settings.hasKey,
    ready,
    startupError,
    shortcut,
    pageShortcut,
    storageUsage: storage.usage,
    ...pageActions(page, history, shown),
    init,
    toggleTalk: press,
    ...practiceActions({ turn, settings, readOut, shown }),
    /** The correction card of each learner sentence, by message id. */
    cards: corrections.cards,
    retryCheck(messageId: string): void {
      void corrections.check(messageId);
    },
    markMisheard: shown(
      () => t('app.actionMarkMisheard'),
      (messageId: string, index: number) => corrections.misheard(messageId, index),
    ),
    ...notebookActions({ notebook, sounds, history, banner, memory, shown }),
    /** What the teacher remembers (features/memory/memory-store.ts): the profile, the proposal card, its actions. */
    memory: memoryActions(memory, shown),
    /** The Progress view's figures and the week's card. */
    progress,
    /** An action of the Progress view or the week's card; a failure shows in the banner. */
    runProgressAction: shown(
      () => t('progress.actionStart'),
      (action: () => Promise<void>) => action(),
    ),
    retry(messageId: string): void {
      const message = history.find(messageId);
      if (!message || message.role !== 'user') return;
      turn.dispatch({ type: 'retry', messageId, transcribed: message.status === 'done', replyId: newId() });
    },
    /** The banner's Retry when a turn could not be saved: writes it again. */
    retrySave(): void {
      turn.dispatch({ type: 'retry-save' });
    },
    sendUnsent(messageId: string): void {
      turn.dispatch({ type: 'send-unsent', messageId });
    },
    deleteUnsent: shown(
      () => t('app.actionDeleteRecording'),
      async (messageId: string) => {
        await history.removeMessage(messageId);
        if (history.unsent.value.length === 0) banner.clearInfo();
        await storage.refresh();
      },
    ),
    newConversation: shown(() => t('app.actionNewConversation'), newConversation),
    openConversation: shown(() => t('app.actionOpenConversation'), openConversation),
    deleteConversation: shown(
      () => t('app.actionDeleteConversation'),
      async (id: string) => {
        const wasCurrent = history.conversation.value?.id === id;
        if (wasCurrent) await stopEverything();
        await history.remove(id);
        if (wasCurrent && (await history.openLatest())) teacherOpens();
        await storage.refresh();
        // Its checks and judged attempts went with it: the Sounds tab and the teacher's memory no longer count them.
        await sounds.refresh();
        await refreshMemory();
      },
    ),
    /** Saves at once; the teacher's opening question (if one is due) streams in afterwards. */
    async saveSettings(next: Settings, key: string, { open = true }: { open?: boolean } = {}): Promise<void> {
      await settings.save(next, key);
      await applyInterfaceLanguage(next.interfaceLanguage);
      if (banner.banner.value?.message === noKeyMessage()) banner.clear();
      await storage.applyRetention();
      await storage.refresh();
      // The companion may be another one now, or started since: ask it how its natural voice is.
      void naturalVoice.check();
      if (open) teacherOpens();
    },
    /**
     * The guided start's last step: a conversation in the scenario just chosen, opened by the
     * teacher's question (a fresh one if the current conversation has already begun).
     */
    async startPractice(): Promise<void> {
      if (history.messages.value.length > 0) await newConversation();
      else teacherOpens();
    },
    refreshStorage: storage.refresh,
    /** Listening aid: the teacher says a reply again, slower when asked. */
    replayReply(messageId: string, slow: boolean): void {
      const message = history.find(messageId);
      if (message?.text) readOut(`replay-${newId()}`, message.text, slow);
    },
    /** Repeat after me's Listen: the teacher says one sentence of a reply. */
    listenTo(text: string): void {
      readOut(`listen-${newId()}`, text, false);
    },
    dismissBanner: banner.clear,
    ...voiceActions(naturalVoice, turn),
    reload(): void {
      location.reload();
    },
    /** The panel goes away; resolves once its turn has wound down and it hears nothing more. */
    async dispose(): Promise<void> {
      pageQuestion.cancel();
      for (const stop of disposers.splice(0)) stop();
      naturalVoice.dispose();
      await turn.dispose();
      corrections.dispose();
      memory.dispose();
      settings.dispose();
      history.dispose();
      link.close();
    },
  };
}
