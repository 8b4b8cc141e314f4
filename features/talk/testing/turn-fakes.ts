import { computed, signal } from '@preact/signals';
import type { Message } from '@/core/db/schema';
import type { CompanionTarget, SpeechEvent, StopSpeechReply } from '@/core/messages';
import type { HistoryStore } from '../../conversations/history';
import { apiEndpoints } from '../../settings/endpoints';
import { DEFAULT_SETTINGS, type Settings } from '../../settings/settings';
import type { SettingsSync } from '../../settings/settings-sync';
import type { ReplySpeaker } from '../reply-speaker';
import type { TurnEvent } from '../turn-machine';

/**
 * Stand-ins for what the turn runner's parts are given — the settings, the open conversation, the
 * offscreen voice, the speech synthesis of the browser — so each part is tested on its own.
 */

export function fakeSettings(overrides: Partial<Settings> = {}): SettingsSync {
  const settings = signal<Settings>({ ...DEFAULT_SETTINGS, ...overrides });
  const endpoints = computed(() => apiEndpoints(settings.value, { apiKey: 'sk-test', transcriptionKey: '' }));
  return { settings, endpoints, hasKey: computed(() => true) } as unknown as SettingsSync;
}

/** The open conversation, in memory; `stored` is what reached IndexedDB, write by write. */
export function fakeHistory(conversationId = 'c1') {
  const conversation = signal({ id: conversationId, title: 'A conversation', createdAt: 0, updatedAt: 0 });
  const messages = signal<Message[]>([]);
  const stored: Message[] = [];
  /** Makes the next writes of the messages it returns true for fail. */
  let failing: ((message: Message) => Error | null) | null = null;

  function show(message: Message): void {
    if (message.conversationId !== conversation.value.id) return;
    const list = messages.value;
    const index = list.findIndex((m) => m.id === message.id);
    messages.value = index === -1 ? [...list, message] : list.map((m, i) => (i === index ? message : m));
  }
  const find = (id: string) => messages.value.find((m) => m.id === id);
  async function save(message: Message): Promise<void> {
    show(message);
    await Promise.resolve();
    const failure = failing?.(message);
    if (failure) throw failure;
    stored.push(message);
  }
  async function patch(id: string, changes: Partial<Message>, persist = true): Promise<Message | undefined> {
    const current = find(id);
    if (!current) return undefined;
    const next: Message = { ...current, ...changes, timings: { ...current.timings, ...changes.timings } };
    if (persist) await save(next);
    else show(next);
    return next;
  }
  const store = {
    conversation,
    messages,
    find,
    save,
    patch,
    lastUserMessage: () => [...messages.value].reverse().find((m) => m.role === 'user'),
    chat: (instructions: string) => [{ role: 'system', content: instructions }],
  };
  return {
    store: store as unknown as HistoryStore,
    messages,
    conversation,
    stored,
    /** The last stored version of a message. */
    storedOf: (id: string) => stored.filter((m) => m.id === id).at(-1),
    failWrites(rule: ((message: Message) => Error | null) | null): void {
      failing = rule;
    },
  };
}

/** The offscreen voice as the panel sees it: what was queued, ended and stopped; events sent back by hand. */
export function fakeSpeaker() {
  const queued: Array<{ turnId: string; text: string; companion: CompanionTarget }> = [];
  const ended: string[] = [];
  const listeners = new Map<string, (event: SpeechEvent) => void>();
  let reachable = true;
  let stops = 0;
  let stopReply: Omit<StopSpeechReply, 'stoppedAt'> = { turnId: null, heard: [] };
  const speaker = {
    listen(turnId: string, onEvent: (event: SpeechEvent) => void) {
      listeners.set(turnId, onEvent);
      return () => {
        if (listeners.get(turnId) === onEvent) listeners.delete(turnId);
      };
    },
    async speak(turnId: string, text: string, companion: CompanionTarget): Promise<number> {
      await Promise.resolve();
      if (!reachable) throw new Error('AITalk could not reach its recorder.');
      queued.push({ turnId, text, companion });
      return queued.filter((q) => q.turnId === turnId).length - 1;
    },
    async end(turnId: string): Promise<void> {
      ended.push(turnId);
    },
    async stop(): Promise<StopSpeechReply> {
      stops++;
      return { ...stopReply, stoppedAt: 1 };
    },
    dispose(): void {},
  };
  return {
    speaker: speaker as unknown as ReplySpeaker,
    queued,
    ended,
    get stops() {
      return stops;
    },
    listening: (turnId: string) => listeners.has(turnId),
    /** The offscreen document's event for one speech turn (dropped if nobody listens for it). */
    emit(event: SpeechEvent): void {
      listeners.get(event.turnId)?.(event);
    },
    unreachable(): void {
      reachable = false;
    },
    answerStopWith(reply: Omit<StopSpeechReply, 'stoppedAt'>): void {
      stopReply = reply;
    },
  };
}

/** speechSynthesis: utterances are "spoken" until the test ends them. */
export function fakeSpeechSynthesis() {
  class Utterance {
    onend: (() => void) | null = null;
    onerror: (() => void) | null = null;
    lang = '';
    rate = 1;
    constructor(readonly text: string) {}
  }
  const spoken: Utterance[] = [];
  let cancels = 0;
  const synthesis = {
    speak: (utterance: Utterance) => void spoken.push(utterance),
    cancel: () => void cancels++,
  };
  return {
    Utterance,
    synthesis,
    spoken,
    get cancels() {
      return cancels;
    },
    /** Ends the utterance being spoken. */
    finishOne(): void {
      spoken.at(-1)?.onend?.();
    },
  };
}

/** Every event a part dispatched, in order. */
export function recordEvents() {
  const events: TurnEvent[] = [];
  return { events, dispatch: (event: TurnEvent) => void events.push(event) };
}

/** Lets promise callbacks and zero-delay timers run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
