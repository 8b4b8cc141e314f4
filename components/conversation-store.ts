import { batch, computed, signal } from '@preact/signals';
import { browser } from 'wxt/browser';
import { ApiProblem, NO_KEY_MESSAGE } from '@/utils/api-errors';
import { COMPANION_START_HINT } from '@/utils/companion';
import {
  createConversation,
  deleteConversation as deleteConversationRecord,
  deleteRecording,
  getRecording,
  latestConversation,
  listConversations,
  listMessages,
  newId,
  putMessage,
  getConversation,
  UNTITLED,
  type Conversation,
  type Message,
  type TurnTimings,
} from '@/utils/db';
import {
  now,
  onMessage,
  sendMessage,
  type RecorderEvent,
  type SavedRecording,
  type SpeechEvent,
  type StopRecordingReply,
} from '@/utils/messages';
import { SentenceStream } from '@/utils/sentence-splitter';
import {
  DEFAULT_SETTINGS,
  apiKeyItem,
  loadSettings,
  settingsItem,
  talkRequestItem,
  transcriptionKeyItem,
  type Settings,
  type TalkRequest,
} from '@/utils/settings';
import { apiEndpoints, missingKey } from '@/utils/endpoints';
import { streamReply, transcribe, type ChatTurn } from '@/utils/teacher-api';

/**
 * The side panel's state and everything the learner can do, as signals plus actions
 * (CONVENTIONS.md practice 6). The panel orchestrates each turn; what must survive it closing
 * (recordings, transcripts, replies, timings) is written to IndexedDB as the turn goes.
 */

export type TalkPhase =
  | 'idle'
  | 'preparing'
  | 'listening'
  | 'recording'
  | 'stopping'
  | 'transcribing'
  | 'thinking'
  | 'speaking';

export interface Banner {
  kind: 'error' | 'info';
  message: string;
  /** What the learner can do about it, shown as a button. */
  action?: 'retry' | 'settings' | 'microphone';
  /** The message a Retry applies to. */
  messageId?: string;
}

/** Below this RMS level nothing was said (the fake or real microphone delivered silence). */
const SILENCE_LEVEL = 0.01;
/** Recordings shorter than this are accidental double presses. */
const MIN_RECORDING_MS = 300;
const HANDS_FREE_VAD = { endSilenceMs: 700, idleTimeoutMs: 20_000 };

interface ActiveTurn {
  /** The assistant message's id, which is also the offscreen document's turn id. */
  id: string;
  abort: AbortController;
  sentences: string[];
  heard: Set<number>;
  streamDone: boolean;
  speechDone: boolean;
  /** The companion could not be reached: the browser's own voice speaks the rest. */
  fallback: boolean;
  /** Sentences (by seq) waiting for the browser's voice, spoken one after another. */
  fallbackQueue: number[];
  fallbackSpeaking: boolean;
}

export type ConversationStore = ReturnType<typeof createConversationStore>;

export function createConversationStore() {
  const phase = signal<TalkPhase>('idle');
  const level = signal(0);
  const elapsedMs = signal(0);
  const conversation = signal<Conversation | null>(null);
  const messages = signal<Message[]>([]);
  const conversations = signal<Conversation[]>([]);
  const banner = signal<Banner | null>(null);
  const settings = signal<Settings>(DEFAULT_SETTINGS);
  const apiKey = signal('');
  const transcriptionKey = signal('');
  const handsFree = signal(false);
  const ready = signal(false);
  /** The talk shortcut as Chrome has it (the learner may have changed it, or it may be unset). */
  const shortcut = signal('');

  let turn: ActiveTurn | null = null;
  let lastTalkRequest: string | null = null;
  /** The browser window this panel is in: a shortcut press talks to its own window's panel. */
  let windowId: number | undefined;
  /**
   * Recorder events reach every open panel; only the panel that started the recording acts on
   * them (two windows with a panel each must not both send the same turn).
   */
  let ownsRecording = false;
  /** A hands-free turn can be ended by the detector and by a press at once: handle it once. */
  const handledRecordings = new Set<string>();

  // A server on this machine needs no key; a transcription server's missing key is reported when a
  // recording is sent (the recording is kept).
  const hasKey = computed(() => !missingKey(endpoints().chat));
  /** A turn is being saved or transcribed: switching conversation now would lose it. */
  const turnInProgress = computed(() => ['preparing', 'stopping', 'transcribing'].includes(phase.value));

  function endpoints() {
    return apiEndpoints(settings.value, { apiKey: apiKey.value, transcriptionKey: transcriptionKey.value });
  }

  function showError(error: unknown, messageId?: string): void {
    const problem = error instanceof ApiProblem ? error : null;
    const message = problem ? problem.message : error instanceof Error ? error.message : String(error);
    const action: Banner['action'] =
      problem?.settingsCanFix
        ? 'settings'
        : messageId
          ? 'retry'
          : undefined;
    banner.value = { kind: 'error', message, action, messageId };
  }

  function info(message: string): void {
    banner.value = { kind: 'info', message };
  }

  function clearInfo(): void {
    if (banner.value?.kind === 'info') banner.value = null;
  }

  // ── Messages: the signal list mirrors IndexedDB ────────────────────────────────────────────

  async function saveMessage(message: Message): Promise<void> {
    upsertLocal(message);
    await putMessage(message);
    // The learner's first words name the conversation (putMessage did it in IndexedDB).
    const current = conversation.value;
    if (message.role === 'user' && message.text && current?.id === message.conversationId && current.title === UNTITLED) {
      conversation.value = (await getConversation(current.id)) ?? current;
      await refreshConversations();
    }
  }

  function upsertLocal(message: Message): void {
    if (message.conversationId !== conversation.value?.id) return;
    const list = messages.value;
    const index = list.findIndex((m) => m.id === message.id);
    messages.value = index === -1 ? [...list, message] : list.map((m, i) => (i === index ? message : m));
  }

  function findMessage(id: string): Message | undefined {
    return messages.value.find((m) => m.id === id);
  }

  async function patchMessage(id: string, patch: Partial<Message>, persist = true): Promise<Message | undefined> {
    const current = findMessage(id);
    if (!current) return undefined;
    const next: Message = { ...current, ...patch, timings: { ...current.timings, ...patch.timings } };
    if (persist) await saveMessage(next);
    else upsertLocal(next);
    return next;
  }

  async function refreshConversations(): Promise<void> {
    conversations.value = await listConversations();
  }

  // ── Start-up ────────────────────────────────────────────────────────────────────────────────

  async function init(): Promise<void> {
    settings.value = await loadSettings();
    apiKey.value = await apiKeyItem.getValue();
    transcriptionKey.value = await transcriptionKeyItem.getValue();
    transcriptionKeyItem.watch((value) => {
      transcriptionKey.value = value ?? '';
    });
    settingsItem.watch((value) => {
      settings.value = { ...DEFAULT_SETTINGS, ...value };
    });
    apiKeyItem.watch((value) => {
      apiKey.value = value ?? '';
    });
    onMessage('sidepanel:recorder-event', ({ data }) => handleRecorderEvent(data));
    onMessage('sidepanel:speech-event', ({ data }) => handleSpeechEvent(data));
    onMessage('sidepanel:microphone-allowed', () => {
      info('Microphone allowed. Press Talk (or the shortcut) to speak.');
    });

    // Neither is essential: without them the panel answers every shortcut press and names none.
    windowId = (await Promise.resolve().then(() => chrome.windows.getCurrent()).catch(() => undefined))?.id;
    const commands = await Promise.resolve().then(() => chrome.commands.getAll()).catch(() => []);
    shortcut.value = commands.find((command) => command.name === 'toggle-talk')?.shortcut ?? '';
    const latest = await latestConversation();
    if (latest) await openConversation(latest.id);
    else await newConversation();
    await refreshConversations();
    ready.value = true;
    if (!hasKey.value) banner.value = { kind: 'info', message: NO_KEY_MESSAGE, action: 'settings' };

    // The keyboard shortcut, pressed in any tab: the service worker leaves the request in
    // storage.session, so a panel that the same press just opened still sees it.
    const forThisPanel = (request: TalkRequest | null): request is TalkRequest =>
      request !== null &&
      request.id !== lastTalkRequest &&
      (request.windowId === undefined || windowId === undefined || request.windowId === windowId);
    talkRequestItem.watch((request) => {
      if (forThisPanel(request)) {
        lastTalkRequest = request.id;
        void toggleTalk();
      }
    });
    const pending = await talkRequestItem.getValue();
    if (forThisPanel(pending) && Date.now() - pending.at < 5_000) {
      lastTalkRequest = pending.id;
      void toggleTalk();
    }
  }

  // ── Conversations ───────────────────────────────────────────────────────────────────────────

  async function openConversation(id: string): Promise<void> {
    await stopEverything();
    const found = await getConversation(id);
    if (!found) return;
    const list = await listMessages(id);
    // A turn cut off by the panel closing: keep what was said, and let it be retried.
    const recovered = await Promise.all(
      list.map(async (message) => {
        if (message.status === 'streaming') {
          const fixed: Message = { ...message, status: 'interrupted', fullText: message.text };
          await putMessage(fixed);
          return fixed;
        }
        if (message.status === 'transcribing') {
          const fixed: Message = {
            ...message,
            status: 'failed',
            error: 'The panel closed before this turn was transcribed. Press Retry to send it again.',
          };
          await putMessage(fixed);
          return fixed;
        }
        return message;
      }),
    );
    batch(() => {
      conversation.value = found;
      messages.value = recovered;
      banner.value = null;
    });
  }

  async function newConversation(): Promise<void> {
    await stopEverything();
    const created = await createConversation();
    batch(() => {
      conversation.value = created;
      messages.value = [];
      banner.value = null;
    });
    await refreshConversations();
    // The opening question streams in while the panel is already usable.
    if (hasKey.value) void teacherReply();
  }

  async function deleteConversation(id: string): Promise<void> {
    const wasCurrent = conversation.value?.id === id;
    if (wasCurrent) await stopEverything();
    await deleteConversationRecord(id);
    await refreshConversations();
    if (wasCurrent) {
      const latest = await latestConversation();
      if (latest) await openConversation(latest.id);
      else await newConversation();
    }
  }

  // ── The Talk button and the shortcut ────────────────────────────────────────────────────────

  async function toggleTalk(): Promise<void> {
    switch (phase.value) {
      case 'idle':
        handsFree.value = settings.value.handsFree;
        return startRecording();
      case 'recording':
        // Hands-free too: a press while speaking sends now instead of waiting for silence.
        return stopRecording();
      case 'listening':
        // Hands-free and nobody speaking yet: the press ends hands-free listening.
        handsFree.value = false;
        ownsRecording = false;
        await sendMessage('offscreen:cancel-recording').catch(() => undefined);
        phase.value = 'idle';
        info('Hands-free paused. Press Talk to continue.');
        return;
      case 'thinking':
      case 'speaking':
        // Barge-in: the learner wants to speak now.
        await interrupt();
        return startRecording();
      case 'preparing':
      case 'stopping':
      case 'transcribing':
        info('Still working on your last turn — one moment, then press Talk again.');
        return;
    }
  }

  async function startRecording(): Promise<void> {
    const current = conversation.value;
    if (!current) return;
    if (!hasKey.value) {
      showError(new ApiProblem('no-key', NO_KEY_MESSAGE));
      return;
    }
    phase.value = 'preparing';
    clearInfo();
    // The browser's own voice (the companion fallback) must not talk into the recording.
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
    try {
      await sendMessage('background:ensure-offscreen');
      const reply = await sendMessage('offscreen:start-recording', {
        conversationId: current.id,
        handsFree: handsFree.value,
        vad: HANDS_FREE_VAD,
      });
      switch (reply.status) {
        case 'recording':
        case 'already-recording':
          ownsRecording = true;
          batch(() => {
            phase.value = handsFree.value ? 'listening' : 'recording';
            level.value = 0;
            elapsedMs.value = 0;
          });
          return;
        case 'permission-needed':
          phase.value = 'idle';
          banner.value = {
            kind: 'info',
            message:
              'AITalk needs your microphone to hear you. Allow it in the tab that just opened, then press Talk again.',
            action: 'microphone',
          };
          await browser.tabs.create({ url: browser.runtime.getURL('/permission.html') });
          return;
        case 'permission-denied':
          phase.value = 'idle';
          banner.value = {
            kind: 'error',
            message:
              'The microphone is blocked for AITalk. Open chrome://settings/content/microphone, allow AITalk, then press Talk again.',
            action: 'microphone',
          };
          return;
        case 'no-microphone':
          phase.value = 'idle';
          showError(new Error('No microphone was found. Connect one (or check your system sound settings), then press Talk again.'));
          return;
        case 'error':
          phase.value = 'idle';
          showError(new Error(`The microphone could not start: ${reply.message}`));
          return;
      }
    } catch (error) {
      phase.value = 'idle';
      showError(new Error(`The recorder could not start (${String(error)}). Press Talk to try again.`));
    }
    // Whatever stopped the microphone from starting also ends hands-free listening.
    if (phase.value === 'idle') handsFree.value = false;
  }

  async function stopRecording(): Promise<void> {
    const stopPressedAt = now();
    phase.value = 'stopping';
    ownsRecording = false;
    let reply: StopRecordingReply;
    try {
      reply = await sendMessage('offscreen:stop-recording');
    } catch (error) {
      phase.value = 'idle';
      showError(new Error(`The recorder stopped unexpectedly (${String(error)}). Press Talk to try again.`));
      return;
    }
    await guarded(() => handleRecording(reply, stopPressedAt));
  }

  async function handleRecording(reply: StopRecordingReply, stopPressedAt: number): Promise<void> {
    if (reply.status !== 'saved') {
      phase.value = 'idle';
      if (reply.status === 'error') showError(new Error(`The recording failed: ${reply.message}`));
      return;
    }
    if (handledRecordings.has(reply.recordingId)) return;
    handledRecordings.add(reply.recordingId);
    batch(() => {
      level.value = 0;
      elapsedMs.value = 0;
    });
    if (reply.durationMs < MIN_RECORDING_MS || (reply.peakLevel < SILENCE_LEVEL && !reply.speechDetected)) {
      phase.value = 'idle';
      // Nothing was said: keep no audio of the room.
      await deleteRecording(reply.recordingId);
      info('I didn’t hear anything — check that your microphone is on and not muted, then press Talk and speak.');
      return;
    }
    const current = conversation.value;
    if (!current) return;
    // The recording is already in IndexedDB (the offscreen document saved it before replying):
    // the turn exists before anything is uploaded, so a failure loses nothing.
    const message: Message = {
      id: newId(),
      conversationId: current.id,
      role: 'user',
      text: '',
      status: 'recorded',
      createdAt: Date.now(),
      recordingId: reply.recordingId,
      timings: {
        stopPressedAt: Math.min(stopPressedAt, reply.stopRequestedAt),
        recordingStoppedAt: reply.stoppedAt,
        recordingSavedAt: reply.savedAt,
      },
    };
    await saveMessage(message);
    await processTurn(message.id, reply);
  }

  /** Transcribes a saved recording, then asks the teacher. Also what Retry runs. */
  async function processTurn(messageId: string, saved?: SavedRecording): Promise<void> {
    const message = findMessage(messageId);
    if (!message?.recordingId) return;
    phase.value = 'transcribing';
    banner.value = null;
    const recording = await getRecording(message.recordingId);
    if (!recording) {
      phase.value = 'idle';
      showError(new Error('This recording is no longer stored. Press Talk and say it again.'));
      return;
    }
    await patchMessage(messageId, { status: 'transcribing', error: undefined });
    let text: string;
    try {
      ({ text } = await transcribe(endpoints().transcription, recording.blob, saved?.mimeType ?? recording.mimeType, {
        onSent: () => {
          void patchMessage(messageId, { timings: { uploadSentAt: now() } }, false);
        },
        onRetry: (problem, _attempt, delayMs) => info(`${problem.message} Retrying in ${Math.round(delayMs / 1000)} s…`),
      }));
    } catch (error) {
      phase.value = 'idle';
      await patchMessage(messageId, { status: 'failed', error: errorText(error) });
      showError(error, messageId);
      return;
    }
    if (!text) {
      phase.value = 'idle';
      await patchMessage(messageId, {
        status: 'failed',
        error: 'No words were recognised in this recording.',
      });
      info('I couldn’t make out any words. Speak a little closer to the microphone, then press Talk.');
      // Hands-free keeps listening: the learner simply says it again.
      if (handsFree.value) void resumeListening();
      return;
    }
    clearInfo();
    const done = await patchMessage(messageId, { text, status: 'done', error: undefined, timings: { transcriptAt: now() } });
    if (handsFree.value) void resumeListening();
    await teacherReply(done?.timings);
  }

  // ── The teacher's reply: streamed text, spoken sentence by sentence ─────────────────────────

  function chatHistory(): ChatTurn[] {
    const history: ChatTurn[] = [{ role: 'system', content: settings.value.teacherInstructions }];
    for (const message of messages.value) {
      if (!message.text) continue;
      if (message.role === 'user' && message.status === 'done') history.push({ role: 'user', content: message.text });
      if (message.role === 'assistant' && (message.status === 'done' || message.status === 'interrupted')) {
        history.push({ role: 'assistant', content: message.text });
      }
    }
    return history;
  }

  async function teacherReply(userTimings: TurnTimings = {}): Promise<void> {
    const current = conversation.value;
    if (!current) return;
    await interrupt(); // one reply at a time
    const history = chatHistory();
    const assistant: Message = {
      id: newId(),
      conversationId: current.id,
      role: 'assistant',
      text: '',
      status: 'streaming',
      createdAt: Date.now(),
      timings: { ...userTimings },
    };
    await saveMessage(assistant);
    const active: ActiveTurn = {
      id: assistant.id,
      abort: new AbortController(),
      sentences: [],
      heard: new Set(),
      streamDone: false,
      speechDone: false,
      fallback: false,
      fallbackQueue: [],
      fallbackSpeaking: false,
    };
    turn = active;
    phase.value = 'thinking';
    const splitter = new SentenceStream();
    let text = '';
    let firstToken = true;
    const speakSentences = (sentences: string[]) => {
      for (const sentence of sentences) speak(active, sentence);
    };
    try {
      await sendMessage('background:ensure-offscreen');
      await streamReply(
        endpoints().chat,
        history,
        (delta) => {
          if (turn !== active) return;
          text += delta;
          const timings: TurnTimings = firstToken ? { firstTokenAt: now() } : {};
          firstToken = false;
          const sentences = splitter.push(delta);
          if (sentences.length && active.sentences.length === 0) timings.firstSentenceAt = now();
          speakSentences(sentences);
          // Every token is shown at once; IndexedDB is written per sentence, not per token.
          void patchMessage(active.id, { text, timings }, sentences.length > 0);
        },
        {
          signal: active.abort.signal,
          onSent: () => {
            void patchMessage(active.id, { timings: { chatSentAt: now() } }, false);
          },
          onRetry: (problem, _attempt, delayMs) => info(`${problem.message} Retrying in ${Math.round(delayMs / 1000)} s…`),
        },
      );
    } catch (error) {
      if (turn !== active) return; // interrupted: interrupt() has recorded what was heard
      turn = null;
      // Hands-free went on listening when the transcript arrived, and still is.
      phase.value = handsFree.value ? 'listening' : 'idle';
      void sendMessage('offscreen:stop-speech').catch(() => undefined);
      // Part of a reply may have arrived: it stays visible, marked failed, and is not sent to
      // the model again (Retry asks for a whole new reply).
      await patchMessage(active.id, { status: 'failed', text, error: errorText(error) });
      const lastUser = [...messages.value].reverse().find((m) => m.role === 'user');
      showError(error, lastUser?.id);
      return;
    }
    if (turn !== active) return;
    const rest = splitter.flush();
    if (rest.length && active.sentences.length === 0) {
      void patchMessage(active.id, { timings: { firstSentenceAt: now() } }, false);
    }
    speakSentences(rest);
    active.streamDone = true;
    await patchMessage(active.id, { status: 'done', text, timings: { replyDoneAt: now() } });
    if (active.sentences.length === 0) active.speechDone = true;
    else if (!active.fallback) void sendMessage('offscreen:end-speech', { turnId: active.id }).catch(() => undefined);
    maybeFinishTurn(active);
  }

  function speak(active: ActiveTurn, sentence: string): void {
    const seq = active.sentences.push(sentence) - 1;
    if (active.fallback) {
      speakWithBrowser(active, [seq]);
      return;
    }
    const { companionUrl, companionToken, voice, speed } = settings.value;
    sendMessage('offscreen:speak', {
      turnId: active.id,
      text: sentence,
      companion: { url: companionUrl, token: companionToken, voice, speed },
    }).catch((error: unknown) => {
      // The offscreen document is gone (it was closed while idle): speak it here instead.
      console.warn('AITalk: could not queue sentence', seq, error);
      startFallback(active, [seq], 'The voice player stopped unexpectedly, so your browser’s voice is used.');
    });
  }

  function handleSpeechEvent(event: SpeechEvent): void {
    const active = turn;
    if (!active || event.turnId !== active.id) return; // a stale event from an interrupted turn
    switch (event.type) {
      case 'started':
        active.heard.add(event.seq);
        if (event.seq === 0) void patchMessage(active.id, { timings: { firstAudioAt: event.at } });
        if (phase.value === 'thinking') phase.value = 'speaking';
        return;
      case 'failed':
        // Every sentence from the failed one on, as the panel sent them: this includes any sent
        // after the failure, which the offscreen document refused.
        startFallback(
          active,
          active.sentences.map((_, seq) => seq).slice(event.seq),
          event.companionUnreachable
            ? `The voice server is not running at ${settings.value.companionUrl}, so your browser’s voice reads the reply. ${COMPANION_START_HINT}`
            : `The voice server failed (${event.message}), so your browser’s voice reads the reply.`,
        );
        return;
      case 'finished':
        if (!active.fallback && event.status === 'done') {
          active.speechDone = true;
          maybeFinishTurn(active);
        }
        return;
      default:
        return;
    }
  }

  function startFallback(active: ActiveTurn, seqs: number[], message: string): void {
    if (turn !== active) return; // interrupted meanwhile: nothing of it may be spoken
    if (!active.fallback) {
      active.fallback = true;
      banner.value = { kind: 'info', message, action: 'settings' };
    }
    speakWithBrowser(active, seqs);
  }

  /**
   * The browser's own voice, for when the companion cannot be reached. Sentences are spoken one
   * after another, so the turn ends when the last one has really been spoken.
   */
  function speakWithBrowser(active: ActiveTurn, seqs: number[]): void {
    if (phase.value === 'thinking') phase.value = 'speaking';
    active.fallbackQueue.push(...seqs.filter((seq) => !active.heard.has(seq) && !active.fallbackQueue.includes(seq)));
    if (!active.fallbackSpeaking) speakNextWithBrowser(active);
  }

  function speakNextWithBrowser(active: ActiveTurn): void {
    const seq = active.fallbackQueue.shift();
    if (turn !== active || seq === undefined) {
      active.fallbackSpeaking = false;
      maybeFinishTurn(active);
      return;
    }
    active.fallbackSpeaking = true;
    active.heard.add(seq);
    const text = active.sentences[seq] ?? '';
    let finished = false;
    const next = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      speakNextWithBrowser(active);
    };
    // Some systems have no voices and never fire 'end': don't wait on them for ever.
    const timer = setTimeout(next, 2_000 + text.split(/\s+/).length * 450);
    if (typeof speechSynthesis === 'undefined') return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = 'en-US';
    utterance.rate = settings.value.speed;
    utterance.onend = next;
    utterance.onerror = next;
    speechSynthesis.speak(utterance);
  }

  function maybeFinishTurn(active: ActiveTurn): void {
    if (turn !== active || !active.streamDone) return;
    const speechOver = active.fallback ? !active.fallbackSpeaking && active.fallbackQueue.length === 0 : active.speechDone;
    if (!speechOver) return;
    turn = null;
    if (handsFree.value) {
      if (phase.value !== 'listening' && phase.value !== 'recording') void resumeListening();
    } else {
      phase.value = 'idle';
    }
  }

  /** Barge-in: silence the teacher at once and keep what was heard. */
  async function interrupt(): Promise<void> {
    const active = turn;
    if (!active) return;
    const interruptedAt = now();
    turn = null;
    active.abort.abort();
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
    const stopped = await sendMessage('offscreen:stop-speech').catch(() => null);
    // With the browser's voice speaking, the offscreen document has no turn to report on.
    const fromOffscreen = stopped?.turnId === active.id ? stopped.heard : [];
    const heardSeqs = [...new Set([...fromOffscreen, ...active.heard])];
    const heard = heardSeqs
      .sort((a, b) => a - b)
      .map((seq) => active.sentences[seq])
      .filter(Boolean)
      .join(' ');
    const message = findMessage(active.id);
    await patchMessage(active.id, {
      status: 'interrupted',
      text: heard,
      fullText: message?.text ?? '',
      timings: { interruptedAt, silencedAt: stopped?.stoppedAt ?? now() },
    });
  }

  async function stopEverything(): Promise<void> {
    handsFree.value = false;
    await interrupt();
    // Hands-free may be listening whatever the Talk bar shows; cancelling nothing is harmless.
    if (ownsRecording) await sendMessage('offscreen:cancel-recording').catch(() => undefined);
    ownsRecording = false;
    phase.value = 'idle';
  }

  // ── Hands-free ──────────────────────────────────────────────────────────────────────────────

  async function resumeListening(): Promise<void> {
    if (!handsFree.value || !conversation.value) return;
    try {
      const reply = await sendMessage('offscreen:start-recording', {
        conversationId: conversation.value.id,
        handsFree: true,
        vad: HANDS_FREE_VAD,
      });
      if (reply.status === 'recording' || reply.status === 'already-recording') ownsRecording = true;
      if (reply.status !== 'recording' && reply.status !== 'already-recording') {
        handsFree.value = false;
        info('Hands-free stopped: the microphone could not restart. Press Talk to continue.');
      } else if (!turn) {
        phase.value = 'listening';
      }
    } catch (error) {
      handsFree.value = false;
      showError(new Error(`Hands-free stopped (${String(error)}). Press Talk to continue.`));
    }
  }

  function handleRecorderEvent(event: RecorderEvent): void {
    if (!ownsRecording) return; // another window's panel started this recording
    switch (event.type) {
      case 'level':
        batch(() => {
          level.value = event.level;
          elapsedMs.value = event.elapsedMs;
        });
        return;
      case 'speech-start':
        // Hands-free barge-in: the learner started speaking over the teacher.
        if (turn) void interrupt();
        phase.value = 'recording';
        return;
      case 'auto-stopped':
        ownsRecording = false;
        phase.value = 'stopping';
        void guarded(() => handleRecording(event.result, event.result.status === 'saved' ? event.result.stopRequestedAt : now()));
        return;
      case 'idle-timeout':
        ownsRecording = false;
        handsFree.value = false;
        if (!turn) phase.value = 'idle';
        info('Hands-free paused after a long silence. Press Talk to continue.');
        return;
      case 'error':
        ownsRecording = false;
        handsFree.value = false;
        phase.value = 'idle';
        showError(new Error(`The microphone stopped: ${event.message}. Press Talk to try again.`));
        return;
    }
  }

  // ── Retry and settings ──────────────────────────────────────────────────────────────────────

  async function retry(messageId: string): Promise<void> {
    const message = findMessage(messageId);
    if (!message || message.role !== 'user') return;
    if (phase.value === 'listening') {
      // Hands-free was waiting for the next sentence: the learner chose to retry instead.
      handsFree.value = false;
      ownsRecording = false;
      await sendMessage('offscreen:cancel-recording').catch(() => undefined);
      phase.value = 'idle';
    }
    if (phase.value !== 'idle') return;
    await guarded(async () => {
      // A failed transcription is sent again; a transcript whose reply failed gets a new reply
      // (the failed one stays in the history, marked failed, and is not sent to the model).
      if (message.status !== 'done') await processTurn(messageId);
      else await teacherReply(message.timings);
    });
  }

  /**
   * Runs a step of a turn so that whatever it throws (IndexedDB full, say) is shown and the Talk
   * bar goes back to idle, instead of staying "Transcribing…" until the panel is reloaded.
   */
  async function guarded(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      turn = null;
      phase.value = 'idle';
      showError(new Error(`Something went wrong with this turn (${errorText(error)}). Your recording is kept; press Retry or Talk.`));
    }
  }

  async function saveSettings(next: Settings, key: string): Promise<void> {
    await settingsItem.setValue(next);
    await apiKeyItem.setValue(key.trim());
    batch(() => {
      settings.value = next;
      apiKey.value = key.trim();
    });
    if (banner.value?.message === NO_KEY_MESSAGE) banner.value = null;
    if (hasKey.value && messages.value.length === 0 && phase.value === 'idle') await teacherReply();
  }

  return {
    phase,
    level,
    elapsedMs,
    conversation,
    messages,
    conversations,
    banner,
    settings,
    apiKey,
    transcriptionKey,
    hasKey,
    turnInProgress,
    handsFree,
    ready,
    shortcut,
    init,
    toggleTalk,
    retry,
    newConversation,
    openConversation,
    deleteConversation,
    saveSettings,
    dismissBanner: () => {
      banner.value = null;
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
