import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Recording } from '@/core/db/schema';
import type { RecorderEnvironment } from '@/offscreen/recorder';
import { FakeBroadcastChannel, FakeContext, FakeMicrophone } from '@/core/testing/fakes';

/**
 * The panel store against the real offscreen service (offscreen/offscreen-service.ts: the real
 * Recorder and TeacherVoice), with only what a browser alone has replaced: the microphone, the
 * AudioContext, the companion's HTTP answers, speechSynthesis, and the message bus and ports
 * between the two contexts. The chat and transcription calls are scripted.
 */

type Handler = (message: { data: unknown }) => unknown;
const handlers = new Map<string, Set<Handler>>();

vi.mock('@/core/messages', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/core/messages')>();
  return {
    ...actual,
    onMessage: (type: string, handler: Handler) => {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type)!.add(handler);
      return () => handlers.get(type)?.delete(handler);
    },
    // Like runtime.sendMessage: every listener of the type hears it; one answers.
    sendMessage: async (type: string, data?: unknown) => {
      const listeners = [...(handlers.get(type) ?? [])];
      if (listeners.length === 0) throw new Error('Could not establish connection. Receiving end does not exist.');
      const answers = await Promise.all(listeners.map((handler) => handler({ data })));
      return answers.find((answer) => answer !== undefined);
    },
  };
});

let replyText = '';
let transcript = 'Yesterday I go to the park.';
vi.mock('@/features/talk/teacher-api', () => ({
  transcribe: vi.fn(async () => ({ text: transcript })),
  streamReply: vi.fn(
    async (
      _config: unknown,
      _messages: unknown,
      onDelta: (text: string) => void,
      options: { signal?: AbortSignal },
    ) => {
      for (const token of replyText.split(/(?<= )/)) {
        if (options.signal?.aborted) throw new Error('aborted');
        onDelta(token);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return replyText;
    },
  ),
}));

/** Writes of the learner's messages fail (IndexedDB full) while this is set; or wait, while `holdLearnerWrites`. */
let failLearnerWrites = false;
let holdLearnerWrites = false;
const heldLearnerWrites: Array<() => void> = [];
vi.mock('@/core/db/conversations', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/core/db/conversations')>();
  return {
    ...actual,
    putMessage: async (message: Parameters<typeof actual.putMessage>[0]) => {
      if (failLearnerWrites && message.role === 'user') {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      if (holdLearnerWrites && message.role === 'user') {
        await new Promise<void>((resolve) => heldLearnerWrites.push(resolve));
      }
      return actual.putMessage(message);
    },
  };
});

/** The corrections lane's server answer; held back until `releaseCorrections` when `holdCorrections`. */
let holdCorrections = false;
let releaseCorrections: () => void = () => undefined;
vi.mock('@/features/corrections/corrections', () => ({
  requestCorrections: vi.fn(
    async (_endpoint: unknown, input: { sentence: string }, options: { signal?: AbortSignal }) => {
      if (holdCorrections) await new Promise<void>((resolve) => (releaseCorrections = resolve));
      if (options.signal?.aborted) return { ok: false, failure: { kind: 'aborted', message: '', canRetry: false } };
      const fixed = input.sentence.replace(/\bgo\b/, 'went');
      const corrections =
        fixed === input.sentence
          ? []
          : [{ original: 'go', corrected: 'went', explanation: 'Past tense.', kind: 'grammar' }];
      return {
        ok: true,
        mode: 'json_schema',
        check: { sentence: input.sentence, corrections, natural: fixed, dropped: 0 },
      };
    },
  ),
}));

// ── Ports between the panel and the offscreen document ───────────────────────────────────────

interface FakePort {
  name: string;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
  postMessage(message: unknown): void;
  disconnect(): void;
}

const connectListeners: Array<(port: FakePort) => void> = [];
const openPorts = new Set<{ close(): void }>();

function portPair(name: string): [FakePort, FakePort] {
  const messageListeners: [Array<(m: unknown) => void>, Array<(m: unknown) => void>] = [[], []];
  const disconnectListeners: [Array<() => void>, Array<() => void>] = [[], []];
  let open = true;
  const close = (from: 0 | 1) => {
    if (!open) return;
    open = false;
    // Like Chrome: the side that disconnects is not told; the other side is.
    for (const listener of disconnectListeners[from === 0 ? 1 : 0]) listener();
  };
  const side = (me: 0 | 1): FakePort => ({
    name,
    onMessage: { addListener: (listener) => messageListeners[me].push(listener) },
    onDisconnect: { addListener: (listener) => disconnectListeners[me].push(listener) },
    postMessage: (message) => {
      if (open) setTimeout(() => messageListeners[me === 0 ? 1 : 0].forEach((listener) => listener(message)), 0);
    },
    disconnect: () => close(me),
  });
  const pair: [FakePort, FakePort] = [side(0), side(1)];
  // The panel closing (or crashing) disconnects its end.
  openPorts.add({ close: () => close(0) });
  return pair;
}

// ── The browser-only parts of the offscreen document ─────────────────────────────────────────

const microphones: FakeMicrophone[] = [];
/** Whether the recording document hands the audio over in memory (then it writes beside the upload). */
let handOverOn = false;
/** Holds each IndexedDB write of a recording until released; or makes it fail. */
let holdSaves = false;
let saveFailure: Error | null = null;
const heldSaves: Array<() => void> = [];
// Every panel and the recording document hand audio over on this (happy-dom's Blob cannot be cloned).
vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel);
const { createHandoverSender } = await import('@/core/recording-handover');
const handOverSender = createHandoverSender();
const recorderEnvironment: RecorderEnvironment = {
  handOver(panelId, recordingId, blob) {
    if (!handOverOn) throw new Error('no hand-over in this test');
    handOverSender(panelId, recordingId, blob);
  },
  async openMicrophone() {
    const microphone = new FakeMicrophone();
    microphones.push(microphone);
    return microphone;
  },
  microphonePermission: async () => 'granted',
  saveRecording: async (recording: Recording) => {
    if (holdSaves) await new Promise<void>((resolve) => heldSaves.push(resolve));
    if (saveFailure) throw saveFailure;
    const { putRecording } = await import('@/core/db/recordings');
    await putRecording(recording);
  },
};
let companionUp = true;
/** How long each synthesised sentence plays. */
let clipSeconds = 0.2;
const companionFetch = vi.fn<typeof fetch>(async (_input, init) => {
  if (!companionUp) throw new TypeError('Failed to fetch');
  const { input } = JSON.parse(String(init?.body)) as { input: string };
  return new Response(JSON.stringify([clipSeconds, input]));
});

class FakeUtterance {
  onend: (() => void) | null = null;
  onerror: (() => void) | null = null;
  lang = '';
  rate = 1;
  constructor(readonly text: string) {}
}
const spoken: FakeUtterance[] = [];
const speech = { speak: vi.fn((utterance: FakeUtterance) => spoken.push(utterance)), cancel: vi.fn() };

const { startOffscreenService } = await import('@/offscreen/offscreen-service');
const { AudioPlayer } = await import('@/offscreen/audio-player');
const { createPanelStore } = await import('./panel-store');
type PanelStore = ReturnType<typeof createPanelStore>;
const { apiKeyItem } = await import('@/features/settings/settings');
const { resetDbConnection } = await import('@/core/db/open');

let context: FakeContext;
let service: { stop(): void } | undefined;

async function settle(ms = 30): Promise<void> {
  for (let i = 0; i < ms; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** As `until`, for what can only be read asynchronously (IndexedDB). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The learner speaking for a while: audio into the fake microphone, and the wall clock moving on. */
async function speak(microphone: FakeMicrophone, rms = 0.2): Promise<void> {
  microphone.play(600, rms);
  await new Promise((resolve) => setTimeout(resolve, 350));
}

/**
 * Every panel a test opens. Each is disposed when its test ends: one left running would go on
 * talking to the next test's offscreen service and writing to its database (a reply still
 * streaming took the next test's voice, so that test's teacher was interrupted before it was seen
 * speaking).
 */
const panels: PanelStore[] = [];

function newPanel(): PanelStore {
  const store = createPanelStore();
  panels.push(store);
  return store;
}

async function openPanel() {
  const store = newPanel();
  await store.init();
  await settle();
  return store;
}

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  // Awaited: a deletion still pending (an earlier test's panel holding the database open) would
  // let the next panel find the last test's conversation.
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase('aitalk');
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error('could not delete the test database'));
  });
  handlers.clear();
  connectListeners.length = 0;
  openPorts.clear();
  microphones.length = 0;
  spoken.length = 0;
  companionUp = true;
  clipSeconds = 0.2;
  replyText = 'Hello there. What did you do yesterday?';
  transcript = 'Yesterday I go to the park.';
  holdCorrections = false;
  failLearnerWrites = false;
  holdLearnerWrites = false;
  heldLearnerWrites.length = 0;
  handOverOn = false;
  holdSaves = false;
  saveFailure = null;
  heldSaves.length = 0;
  vi.stubGlobal('speechSynthesis', speech);
  vi.stubGlobal('SpeechSynthesisUtterance', FakeUtterance);
  // The panel asks the companion's /health how its natural voice is: one without neural voices here.
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ engine: 'espeak', ready: true })));
  // Ports: the panel connects, the offscreen document's onConnect listener gets the other end.
  chrome.runtime.connect = ((info?: { name?: string }) => {
    const [panelEnd, documentEnd] = portPair(info?.name ?? '');
    setTimeout(() => connectListeners.forEach((listener) => listener(documentEnd)), 0);
    return panelEnd;
  }) as unknown as typeof chrome.runtime.connect;
  (chrome.runtime as { onConnect: unknown }).onConnect = {
    addListener: (listener: (port: FakePort) => void) => connectListeners.push(listener),
  } as unknown as typeof chrome.runtime.onConnect;
  chrome.windows.getCurrent = (async () => ({ id: 1 })) as unknown as typeof chrome.windows.getCurrent;
  chrome.commands = { getAll: async () => [] } as unknown as typeof chrome.commands;
  // The service worker's part: the document exists once asked for.
  const { onMessage } = await import('@/core/messages');
  onMessage('background:ensure-offscreen', () => undefined);
  context = new FakeContext();
  service = startOffscreenService({
    player: new AudioPlayer(() => context),
    recorderEnvironment,
    fetchImpl: companionFetch,
  });
  await apiKeyItem.setValue('sk-test');
});

afterEach(async () => {
  await Promise.all(panels.splice(0).map((panel) => panel.dispose()));
  service?.stop();
});

/** The panel closing: its port disconnects, and nothing else is said. */
function closePanel(): void {
  for (const port of openPorts) port.close();
}

describe('a turn, through the real offscreen service', () => {
  it('records, transcribes, and the teacher answers aloud sentence by sentence', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    await until(
      'the reply to be spoken',
      () => store.messages.value.length === 3 && store.phase.value === 'idle',
      4_000,
    );
    const [, learner, teacher] = store.messages.value;
    expect(learner).toMatchObject({ role: 'user', text: 'Yesterday I go to the park.', status: 'done' });
    expect(teacher).toMatchObject({ role: 'assistant', status: 'done' });
    expect(teacher!.timings.firstAudioAt).toBeDefined();
    expect(context.sources.map((s) => s.buffer?.text)).toEqual(
      expect.arrayContaining(['Hello there.', 'What did you do yesterday?']),
    );
    expect(microphones.at(-1)!.released).toBe(true);
  });

  it('the upload leaves while the recording is still being written to IndexedDB, and the turn keeps it', async () => {
    handOverOn = true;
    const { transcribe } = await import('@/features/talk/teacher-api');
    const { getRecording } = await import('@/core/db/recordings');
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    holdSaves = true;
    const uploadsBefore = vi.mocked(transcribe).mock.calls.length;
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    await until('the upload', () => vi.mocked(transcribe).mock.calls.length > uploadsBefore);
    // Uploaded from memory while the write is still held.
    expect(heldSaves).toHaveLength(1);
    const learner = () => store.messages.value.find((m) => m.role === 'user')!;
    expect(learner().timings.recordingSavedAt).toBeUndefined();
    heldSaves.shift()!();
    await until('the write to be noted', () => learner().timings.recordingSavedAt !== undefined);
    expect(await getRecording(learner().recordingId!)).toBeDefined();
    await until('the reply', () => store.messages.value.length === 3 && store.phase.value === 'idle', 4_000);
    expect(learner()).toMatchObject({ text: 'Yesterday I go to the park.', status: 'done' });
  });

  it('the moment the recording was stored stays with the turn, shown and kept, when the corrections check writes the turn meanwhile', async () => {
    const { listMessages } = await import('@/core/db/conversations');
    handOverOn = true;
    holdCorrections = true;
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    const conversationId = store.conversation.value!.id;
    holdSaves = true;
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    const learner = () => store.messages.value.find((m) => m.role === 'user');
    const stored = async () => (await listMessages(conversationId)).find((m) => m.role === 'user');
    await eventually('the transcript kept', async () => (await stored())?.status === 'done');
    // The check's write of the turn is on its way (held) when the recording's write lands.
    holdLearnerWrites = true;
    releaseCorrections();
    await until('the check writing the turn', () => heldLearnerWrites.length === 1);
    heldSaves.shift()!();
    await until('the write to be noted', () => learner()!.timings.recordingSavedAt !== undefined);
    holdLearnerWrites = false;
    heldLearnerWrites.shift()!();
    await until('the check kept with the turn', () => learner()!.timings.checkedAt !== undefined);
    await settle();
    expect(learner()!.timings.recordingSavedAt).toBeDefined();
    await eventually(
      'the moment kept in IndexedDB',
      async () => (await stored())?.timings.recordingSavedAt !== undefined,
    );
  });

  it('a write that fails after the upload left says what to do, and the turn still gets its answer', async () => {
    handOverOn = true;
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    saveFailure = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    await until('the reply', () => store.messages.value.length === 3 && store.phase.value === 'idle', 4_000);
    expect(store.messages.value[1]).toMatchObject({ text: 'Yesterday I go to the park.', status: 'done' });
    await until('the storage notice', () => /no room left/.test(store.banner.value?.message ?? ''));
  });

  it('a transcript IndexedDB cannot take is kept and shown, the teacher answers it, and the banner offers Retry for the save', async () => {
    const { listMessages } = await import('@/core/db/conversations');
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    failLearnerWrites = true;
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    await until('the reply', () => store.messages.value.length === 3 && store.phase.value === 'idle', 4_000);
    const [, learner, teacher] = store.messages.value;
    expect(learner).toMatchObject({ role: 'user', text: 'Yesterday I go to the park.', status: 'done' });
    expect(teacher).toMatchObject({
      role: 'assistant',
      status: 'done',
      text: 'Hello there. What did you do yesterday?',
    });
    expect(store.banner.value).toMatchObject({ kind: 'error', action: 'retry-save' });
    expect(store.banner.value?.message).toContain('Could not save this turn');
    expect(store.banner.value?.message).toContain('no room left');
    const conversationId = store.conversation.value!.id;
    expect((await listMessages(conversationId)).some((m) => m.role === 'user')).toBe(false);
    // Room was made: Retry saves it.
    failLearnerWrites = false;
    store.retrySave();
    await eventually('the transcript in IndexedDB', async () =>
      (await listMessages(conversationId)).some((m) => m.role === 'user' && m.text === 'Yesterday I go to the park.'),
    );
    expect(store.banner.value).toBeNull();
  });

  it('a silent recording still being written is deleted once the write is done, not before', async () => {
    handOverOn = true;
    const { recordingsUsage } = await import('@/core/db/recordings');
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    holdSaves = true;
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    microphones.at(-1)!.play(600, 0);
    store.toggleTalk();
    await until('the turn to end with nothing heard', () => store.phase.value === 'idle' && heldSaves.length === 1);
    const before = (await recordingsUsage()).count;
    heldSaves.shift()!();
    await settle(60);
    // Deleted after the write landed: nothing is left behind that no turn refers to.
    expect((await recordingsUsage()).count).toBe(before);
    expect(store.messages.value).toHaveLength(1);
  });

  it('barge-in: pressing Talk while the teacher speaks silences it and keeps the part that was heard', async () => {
    replyText = 'One sentence here. Two sentence here. Three sentence here.';
    clipSeconds = 2;
    const store = await openPanel();
    await until('the teacher to speak', () => store.phase.value === 'speaking');
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await until('the reply marked interrupted', () => store.messages.value[0]?.status === 'interrupted');
    const reply = store.messages.value[0]!;
    expect(reply.text).toBe('One sentence here.');
    expect(reply.fullText).toContain('Three sentence here.');
    expect(context.sources[0]!.stoppedAt).toBeDefined();
  });

  it('barge-in: the stop reaches the voice before the reply stream is dropped and the microphone starts', async () => {
    // The panel shares one main thread with the offscreen document: whatever the panel does
    // first (the stream's abort handlers, the microphone's start) delays the silence.
    replyText = 'One sentence here. Two sentence here. Three sentence here. Four sentence here.';
    clipSeconds = 2;
    const order: string[] = [];
    const listen = (type: string, name: string) => {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type)!.add(() => void order.push(name));
    };
    const { streamReply } = await import('@/features/talk/teacher-api');
    vi.mocked(streamReply).mockImplementationOnce(async (_endpoint, _messages, onDelta, options) => {
      options?.signal?.addEventListener('abort', () => order.push('stream dropped'));
      for (const token of replyText.split(/(?<= )/)) {
        if (options?.signal?.aborted) throw new Error('aborted');
        onDelta(token);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return replyText;
    });
    const store = await openPanel();
    await until('the teacher to speak', () => store.phase.value === 'speaking');
    listen('offscreen:stop-speech', 'voice stopped');
    listen('offscreen:start-recording', 'microphone asked');
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await until('the reply marked interrupted', () => store.messages.value[0]?.status === 'interrupted');
    expect(order).toEqual(['voice stopped', 'stream dropped', 'microphone asked']);
  });
});

describe('the panel’s life and the microphone', () => {
  it('closing the panel mid-recording releases the microphone and keeps the turn, which the reopened panel offers back', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    const mic = microphones.at(-1)!;
    await speak(mic);
    closePanel();
    await until('the microphone to be released', () => mic.released);

    handlers.delete('sidepanel:recorder-event');
    handlers.delete('sidepanel:speech-event');
    const reopened = await openPanel();
    const unsent = reopened.messages.value.filter((m) => m.status === 'unsent');
    expect(unsent).toHaveLength(1);
    expect(reopened.banner.value?.message).toContain('was not sent');
    reopened.sendUnsent(unsent[0]!.id);
    await until(
      'the unsent turn to be answered',
      () => reopened.messages.value.length === 3 && reopened.phase.value === 'idle',
      4_000,
    );
    expect(reopened.messages.value.map((m) => m.status)).toEqual(['done', 'done', 'done']);
  });

  it('a panel that goes away mid-recording (its page hidden, then closed) keeps the turn, which the reopened panel offers back', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    const mic = microphones.at(-1)!;
    await speak(mic);
    await store.dispose();
    await until('the microphone to be released', () => mic.released);
    handlers.delete('sidepanel:recorder-event');
    handlers.delete('sidepanel:speech-event');
    const reopened = await openPanel();
    expect(reopened.messages.value.filter((m) => m.status === 'unsent')).toHaveLength(1);
  });

  it('closing the panel before anything was said deletes the recording instead', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!, 0);
    closePanel();
    await until('the microphone to be released', () => microphones.at(-1)!.released);
    await settle();
    const { recordingsUsage } = await import('@/core/db/recordings');
    expect((await recordingsUsage()).count).toBe(0);
    const reopened = await openPanel();
    expect(reopened.messages.value.some((m) => m.status === 'unsent')).toBe(false);
  });

  it('a second panel asking for the microphone while the first records is told it is busy, and the first keeps its turn', async () => {
    const first = await openPanel();
    await until('the opening reply', () => first.phase.value === 'idle' && first.messages.value.length === 1);
    const second = await openPanel();
    first.toggleTalk();
    await until('recording', () => first.phase.value === 'recording');
    second.toggleTalk();
    await until('the busy message', () => second.banner.value !== null && second.phase.value === 'idle');
    expect(second.banner.value?.message).toContain('busy in another window');
    expect(microphones).toHaveLength(1);
    expect(first.phase.value).toBe('recording');
    await speak(microphones[0]!);
    first.toggleTalk();
    await until('the first panel’s turn to be sent', () =>
      first.messages.value.some((m) => m.role === 'user' && m.status === 'done'),
    );
  });

  it('a reply stopped by another panel taking the voice ends in this panel too', async () => {
    replyText = 'One sentence here. Two sentence here.';
    clipSeconds = 2;
    const first = await openPanel();
    await until('the teacher to speak', () => first.phase.value === 'speaking');
    // Another window's panel starts a conversation; its teacher's opening question takes the voice.
    const second = await openPanel();
    await second.newConversation();
    await until('the first panel to stop speaking', () => first.phase.value === 'idle');
    expect(first.messages.value[0]!.status).toBe('interrupted');
  });
});

describe('the teacher’s reply when the companion cannot be reached', () => {
  it('is read by the browser’s voice sentence after sentence, and the turn ends only after the last one', async () => {
    companionUp = false;
    replyText = 'Hello, I am your teacher. What did you do last weekend? Tell me everything.';
    const store = await openPanel();
    await until('the browser voice', () => spoken.length === 1);
    expect(store.banner.value?.message).toContain('npm run companion');
    expect(store.banner.value?.action).toBe('settings');
    // One at a time: the next sentence is spoken when the previous one has ended.
    expect(spoken.map((u) => u.text)).toEqual(['Hello, I am your teacher.']);
    expect(store.phase.value).toBe('speaking');
    spoken[0]!.onend?.();
    await until('the second sentence', () => spoken.length === 2);
    spoken[1]!.onend?.();
    await until('the third sentence', () => spoken.length === 3);
    expect(store.phase.value).toBe('speaking');
    spoken[2]!.onend?.();
    await until('the end of the turn', () => store.phase.value === 'idle');
    expect(store.messages.value[0]?.status).toBe('done');
  });

  it('an interruption keeps the sentences the browser’s voice had read, and silences it', async () => {
    companionUp = false;
    replyText = 'First sentence here. Second sentence here. Third sentence here.';
    const store = await openPanel();
    await until('the browser voice', () => spoken.length === 1);
    spoken[0]!.onend?.();
    await until('the second sentence', () => spoken.length === 2);
    store.toggleTalk(); // barge-in while the second sentence is being read
    await until('recording', () => store.phase.value === 'recording');
    expect(speech.cancel).toHaveBeenCalled();
    await until('the reply marked interrupted', () => store.messages.value[0]?.status === 'interrupted');
    const reply = store.messages.value[0]!;
    expect(reply.text).toBe('First sentence here. Second sentence here.');
    // Nothing more of the old reply is read once the learner has interrupted.
    spoken[1]!.onend?.();
    await settle();
    expect(spoken).toHaveLength(2);
  });
});

describe('read-outs when the companion cannot be reached', () => {
  /** The browser's voice reading whatever it was given, one sentence after another, until the Talk bar is idle. */
  async function hearOutBrowserVoice(store: Awaited<ReturnType<typeof openPanel>>): Promise<void> {
    await until('the browser voice to finish', () => {
      const last = spoken.at(-1);
      if (last && !finished.has(last)) {
        finished.add(last);
        last.onend?.();
      }
      return store.phase.value === 'idle' && spoken.every((u) => finished.has(u));
    });
  }
  const finished = new Set<FakeUtterance>();

  it('"Listen again" and "Listen slowly" are read by the browser’s voice, and the banner says why, as for a reply', async () => {
    companionUp = false;
    const store = await openPanel();
    await until('the opening reply', () => store.messages.value[0]?.status === 'done');
    await hearOutBrowserVoice(store);
    store.dismissBanner();
    const reply = store.messages.value[0]!;
    const before = spoken.length;
    store.replayReply(reply.id, false);
    await until('the reply read again', () => spoken.length > before);
    expect(spoken[before]!.text).toBe('Hello there.');
    expect(store.banner.value?.message).toContain('npm run companion');
    expect(store.banner.value?.action).toBe('settings');
    spoken[before]!.onend?.();
    await until('its second sentence', () => spoken.length > before + 1);
    expect(spoken[before + 1]!.text).toBe('What did you do yesterday?');
    spoken[before + 1]!.onend?.();
    store.dismissBanner();
    store.replayReply(reply.id, true);
    await until('the slow one', () => spoken.length > before + 2);
    expect(spoken[before + 2]!.rate).toBeLessThan(spoken[before]!.rate);
    expect(store.banner.value?.message).toContain('npm run companion');
    // Talk silences it and is a normal turn.
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    expect(speech.cancel).toHaveBeenCalled();
  });

  it('Repeat after me’s Listen reads that one sentence in the teacher’s voice', async () => {
    companionUp = false;
    const store = await openPanel();
    await until('the opening reply', () => store.messages.value[0]?.status === 'done');
    await hearOutBrowserVoice(store);
    const before = spoken.length;
    store.listenTo('What did you do yesterday?');
    await until('the sentence read', () => spoken.length > before);
    await hearOutBrowserVoice(store);
    expect(spoken.slice(before).map((u) => u.text)).toEqual(['What did you do yesterday?']);
  });

  it('"Listen first" reads the selection with the browser’s voice, and the banner says why', async () => {
    companionUp = false;
    const store = await openPanel();
    await until('the opening reply', () => store.messages.value[0]?.status === 'done');
    await hearOutBrowserVoice(store);
    const { sendMessage } = await import('@/core/messages');
    await sendMessage('sidepanel:page-request', {
      id: 'r1',
      at: Date.now(),
      windowId: 1,
      action: 'talk',
      result: {
        status: 'captured',
        page: {
          id: 'p1',
          title: 'Why cities plant trees',
          url: 'https://news.example.org/trees',
          lang: 'en',
          selection: 'Trees cool the streets around them.',
          text: 'Trees cool the streets around them. They also clean the air.',
          capturedAt: Date.now(),
        },
      },
    });
    await until('the question about the page', () => store.messages.value.length === 2);
    await hearOutBrowserVoice(store);
    store.dismissBanner();
    const before = spoken.length;
    await store.listenFirst();
    await until('the selection read', () => spoken.length > before);
    expect(spoken[before]!.text).toBe('Trees cool the streets around them.');
    expect(store.banner.value?.message).toContain('npm run companion');
  });
});

describe('start-up and settings', () => {
  it('a failure to open the saved conversations is shown with Reload, not "Loading…" for ever', async () => {
    await resetDbConnection();
    const realIndexedDB = indexedDB;
    vi.stubGlobal('indexedDB', {
      open: () => {
        throw new DOMException('The user denied permission to access the database.', 'UnknownError');
      },
    });
    try {
      const store = newPanel();
      await store.init();
      expect(store.ready.value).toBe(false);
      expect(store.startupError.value).toMatch(/could not open its saved conversations.*Reload the panel/);
    } finally {
      vi.stubGlobal('indexedDB', realIndexedDB);
    }
  });

  it('Save returns at once: it does not wait for the teacher’s opening question', async () => {
    await apiKeyItem.setValue('');
    const store = await openPanel();
    expect(store.messages.value).toHaveLength(0);
    const { streamReply } = await import('@/features/talk/teacher-api');
    let release!: () => void;
    vi.mocked(streamReply).mockImplementationOnce(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return '';
    });
    await store.saveSettings(store.settings.value, 'sk-new');
    expect(store.phase.value).toBe('thinking');
    release();
  });
});

describe('practice attempts', () => {
  it('"Say it again" records, judges the attempt word by word against the text, keeps no audio and makes no teacher turn', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    const { streamReply, transcribe } = await import('@/features/talk/teacher-api');
    const chatCalls = vi.mocked(streamReply).mock.calls.length;
    transcript = 'Yesterday I went to park.';
    const target = { id: 't1', text: 'Yesterday I went to the park.', kind: 'say-again' as const };
    store.practise(target);
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.practise(target); // the same button stops it
    await until('the result', () => store.attempts.value.t1 !== undefined && store.phase.value === 'idle');
    const result = store.attempts.value.t1!;
    expect(result.said).toBe('Yesterday I went to park.');
    expect(result.comparison!.allRight).toBe(false);
    expect(result.comparison!.words.find((w) => w.status === 'missed')).toMatchObject({ expected: 'the' });
    // The transcription was not told what the learner was meant to say.
    expect(vi.mocked(transcribe).mock.calls.at(-1)![0]).toMatchObject({ prompt: '' });
    expect(vi.mocked(streamReply).mock.calls.length).toBe(chatCalls);
    expect(store.messages.value).toHaveLength(1);
    const { recordingsUsage } = await import('@/core/db/recordings');
    expect((await recordingsUsage()).count).toBe(0);
  });
});

describe('switching or deleting the conversation mid-turn', () => {
  type Store = Awaited<ReturnType<typeof openPanel>>;

  /** What IndexedDB still holds for a conversation. */
  async function leftOf(conversationId: string) {
    const { getConversation, listMessages } = await import('@/core/db/conversations');
    const { listChecks } = await import('@/features/corrections/notebook');
    const { db } = await import('@/core/db/open');
    return {
      conversation: await getConversation(conversationId),
      messages: await listMessages(conversationId),
      checks: await listChecks(conversationId),
      recordings: await (await db()).getAllFromIndex('recordings', 'by-conversation', conversationId),
      notebook: (await (await db()).getAll('notebook')).length,
    };
  }

  /** The learner speaks a turn and presses Talk again to send it. */
  async function sayATurn(store: Store): Promise<void> {
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
  }

  /** The next transcription waits until released; it honours its abort signal, as the SDK does. */
  async function holdNextTranscription() {
    const { transcribe } = await import('@/features/talk/teacher-api');
    let release: () => void = () => undefined;
    let signal: AbortSignal | undefined;
    vi.mocked(transcribe).mockImplementationOnce(async (_endpoint, _audio, _mime, options) => {
      signal = options?.signal;
      await new Promise<void>((resolve) => (release = resolve));
      if (signal?.aborted) throw new DOMException('This operation was aborted', 'AbortError');
      return { text: transcript };
    });
    return { release: () => release(), aborted: () => signal?.aborted === true };
  }

  /** The next reply waits (asked, nothing streamed yet) until released. */
  async function holdNextReply() {
    const { streamReply } = await import('@/features/talk/teacher-api');
    let release: () => void = () => undefined;
    let signal: AbortSignal | undefined;
    vi.mocked(streamReply).mockImplementationOnce(async (_endpoint, _messages, onDelta, options) => {
      signal = options?.signal;
      await new Promise<void>((resolve) => (release = resolve));
      if (signal?.aborted) throw new DOMException('This operation was aborted', 'AbortError');
      onDelta('Late words. ');
      return 'Late words. ';
    });
    return { release: () => release(), aborted: () => signal?.aborted === true };
  }

  /** Whether the teacher was ever sent the learner's sentence. */
  async function teacherHeard(sentence: string): Promise<boolean> {
    const { streamReply } = await import('@/features/talk/teacher-api');
    return vi
      .mocked(streamReply)
      .mock.calls.some(([, messages]) => (messages as Array<{ content: string }>).some((m) => m.content === sentence));
  }

  async function openedWithATurnAhead(): Promise<{ store: Store; id: string }> {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    return { store, id: store.conversation.value!.id };
  }

  it('deleted while recording: the microphone is released and nothing of the turn is kept or sent', async () => {
    transcript = 'A sentence said while deleting.';
    const { store, id } = await openedWithATurnAhead();
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    await store.deleteConversation(id);
    await until('the microphone to be released', () => microphones.at(-1)!.released);
    await settle(60);
    expect(await leftOf(id)).toMatchObject({ conversation: undefined, messages: [], recordings: [] });
    expect(store.conversation.value?.id).not.toBe(id);
    expect(store.messages.value.some((m) => m.role === 'user')).toBe(false);
    expect(await teacherHeard(transcript)).toBe(false);
  });

  it('deleted while transcribing: the upload is aborted, the teacher is not asked, and nothing is written for it', async () => {
    transcript = 'A sentence said while deleting.';
    const { store, id } = await openedWithATurnAhead();
    const upload = await holdNextTranscription();
    await sayATurn(store);
    await until('transcribing', () => store.phase.value === 'transcribing');
    await store.deleteConversation(id);
    expect(upload.aborted()).toBe(true);
    upload.release();
    await settle(60);
    expect(await leftOf(id)).toMatchObject({ conversation: undefined, messages: [], recordings: [], checks: [] });
    expect(await teacherHeard(transcript)).toBe(false);
    expect(store.messages.value.some((m) => m.role === 'user')).toBe(false);
  });

  it('left while transcribing: the turn stays in its conversation, not sent, with Retry; the teacher is not asked', async () => {
    transcript = 'A sentence said while switching.';
    const { store, id: first } = await openedWithATurnAhead();
    await store.newConversation();
    await until('the second opening', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    const second = store.conversation.value!.id;
    const upload = await holdNextTranscription();
    await sayATurn(store);
    await until('transcribing', () => store.phase.value === 'transcribing');
    await store.openConversation(first);
    expect(upload.aborted()).toBe(true);
    upload.release();
    await settle(60);
    expect(await teacherHeard(transcript)).toBe(false);
    const [, learner, ...rest] = (await leftOf(second)).messages;
    expect(learner).toMatchObject({ role: 'user', status: 'failed', error: expect.stringContaining('Retry') });
    expect(rest).toEqual([]);
    expect(store.messages.value).toHaveLength(1);
    // Back in it, Retry sends it: transcribed and answered.
    await store.openConversation(second);
    store.retry(learner!.id);
    await until('the answer', () => store.messages.value.length === 3 && store.phase.value === 'idle', 4_000);
    expect(store.messages.value[1]).toMatchObject({ text: transcript, status: 'done' });
  });

  it('deleted while the teacher is thinking: the request is aborted and nothing is written for it', async () => {
    transcript = 'A sentence said while deleting.';
    const { store, id } = await openedWithATurnAhead();
    const asking = await holdNextReply();
    await sayATurn(store);
    await until('the teacher thinking', () => store.phase.value === 'thinking' && store.messages.value.length === 3);
    await store.deleteConversation(id);
    expect(asking.aborted()).toBe(true);
    asking.release();
    await settle(60);
    expect(await leftOf(id)).toMatchObject({ conversation: undefined, messages: [], recordings: [], checks: [] });
  });

  it('deleted while the teacher speaks: the voice falls silent, the stream is dropped, and nothing is written for it', async () => {
    transcript = 'A sentence said while deleting.';
    const { store, id } = await openedWithATurnAhead();
    replyText = 'One sentence here. Two sentence here. Three sentence here.';
    clipSeconds = 2;
    await sayATurn(store);
    await until('the teacher speaking', () => store.phase.value === 'speaking' && store.messages.value.length === 3);
    const playing = context.sources.at(-1)!;
    await store.deleteConversation(id);
    expect(playing.stoppedAt).toBeDefined();
    await settle(60);
    expect(await leftOf(id)).toMatchObject({ conversation: undefined, messages: [], recordings: [] });
  });

  it('left while the teacher speaks: the voice falls silent, and the reply is kept in its conversation as heard', async () => {
    const { store, id: first } = await openedWithATurnAhead();
    await store.newConversation();
    await until('the second opening', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    const second = store.conversation.value!.id;
    replyText = 'One sentence here. Two sentence here. Three sentence here.';
    clipSeconds = 2;
    await sayATurn(store);
    await until('the teacher speaking', () => store.phase.value === 'speaking' && store.messages.value.length === 3);
    await store.openConversation(first);
    expect(context.sources.at(-1)!.stoppedAt).toBeDefined();
    await settle(60);
    // Found by role: the stand-in transcribes at once, so the turn and its reply may share a
    // millisecond, and IndexedDB orders them by time, then by id.
    const kept = (await leftOf(second)).messages;
    expect(kept.find((m) => m.role === 'user')).toMatchObject({ status: 'done' });
    expect(kept.filter((m) => m.role === 'assistant').map((m) => [m.status, m.text])).toEqual([
      ['done', 'Hello there. What did you do yesterday?'],
      ['interrupted', 'One sentence here.'],
    ]);
  });

  it('deleted while its sentence is still being checked: the check is aborted and nothing of it is kept', async () => {
    holdCorrections = true;
    const { store, id } = await openedWithATurnAhead();
    await sayATurn(store);
    await until('the reply spoken', () => store.phase.value === 'idle' && store.messages.value.length === 3);
    const learnerId = store.messages.value[1]!.id;
    expect(store.cards.value[learnerId]).toEqual({ status: 'checking' });
    const { requestCorrections } = await import('@/features/corrections/corrections');
    const signal = (vi.mocked(requestCorrections).mock.calls.at(-1)![2] as { signal?: AbortSignal }).signal;
    const deleting = store.deleteConversation(id);
    await until('the check to be aborted', () => signal?.aborted === true);
    releaseCorrections();
    await deleting;
    await settle(60);
    expect(await leftOf(id)).toMatchObject({ conversation: undefined, messages: [], checks: [], notebook: 0 });
    expect(store.cards.value[learnerId]).toBeUndefined();
  });

  it('deleted after practice: its sounds leave the Sounds tab and what the teacher remembers at once', async () => {
    const { store, id } = await openedWithATurnAhead();
    const { keepJudgedAttempt } = await import('@/core/db/sounds');
    const { withSlip } = await import('@/features/pronunciation/sounds-store');
    const found = { sound: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', kind: 'substituted' } as const;
    const slip = { text: 'I think so', at: Date.now(), conversationId: id };
    await keepJudgedAttempt(
      { id: 'a1', at: slip.at, conversationId: id, kind: 'repeat', score: 50, sounds: ['th-voiceless'] },
      new Map([['th-voiceless', (old: Parameters<typeof withSlip>[0]) => withSlip(old, found, slip)]]),
    );
    await store.refreshSounds();
    await store.memory.refresh();
    expect(store.sounds.value.map((s) => s.id)).toEqual(['th-voiceless']);
    expect(store.memory.sounds.value).toEqual(['/θ/ (think)']);
    await store.deleteConversation(id);
    expect(store.sounds.value).toEqual([]);
    expect(store.memory.sounds.value).toEqual([]);
  });
});

describe('a practice attempt the microphone fails', () => {
  it('ends the practice and says so; the next press of Talk is a normal turn, answered by the teacher', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value.length === 1);
    const target = { id: 't1', text: 'Yesterday I went to the park.', kind: 'say-again' as const };
    store.practise(target);
    await until('recording the attempt', () => store.phase.value === 'recording');
    microphones.at(-1)!.fail('The microphone was unplugged.');
    await until('the attempt to end', () => store.phase.value === 'idle');
    expect(store.practice.value).toBeNull();
    expect(store.banner.value).toMatchObject({ kind: 'error' });
    expect(store.banner.value?.message).toContain('practice attempt ended');
    store.toggleTalk();
    await until('recording a turn', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    await until('the teacher’s answer', () => store.messages.value.length === 3 && store.phase.value === 'idle', 4_000);
    expect(store.messages.value[1]).toMatchObject({
      role: 'user',
      text: 'Yesterday I go to the park.',
      status: 'done',
    });
    expect(store.attempts.value.t1).toBeUndefined();
  });
});

describe('the corrections lane', () => {
  async function learnerTurn(store: Awaited<ReturnType<typeof openPanel>>): Promise<string> {
    await until('idle', () => store.phase.value === 'idle' && store.messages.value.length > 0);
    const before = store.messages.value.length;
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.toggleTalk();
    await until(
      'the transcript',
      () => store.messages.value.length > before && store.messages.value.at(-1)!.role === 'assistant',
    );
    return store.messages.value.find((m) => m.role === 'user' && m.text === transcript)!.id;
  }

  it('checks the sentence beside the reply: the teacher answers aloud while the check is still out, then the card shows and is kept', async () => {
    holdCorrections = true;
    const store = await openPanel();
    const id = await learnerTurn(store);
    await until(
      'the reply to be spoken',
      () => store.phase.value === 'idle' && store.messages.value.at(-1)!.status === 'done',
    );
    expect(store.messages.value.at(-1)!.timings.firstAudioAt).toBeDefined();
    expect(store.cards.value[id]).toEqual({ status: 'checking' });
    const { requestCorrections } = await import('@/features/corrections/corrections');
    expect(vi.mocked(requestCorrections).mock.calls.at(-1)![1]).toEqual({
      sentence: 'Yesterday I go to the park.',
      previousTeacherLine: 'Hello there. What did you do yesterday?',
      explanationLanguage: store.settings.value.explanationLanguage,
    });
    releaseCorrections();
    await until('the card', () => store.cards.value[id]?.status === 'done');
    const card = store.cards.value[id]!;
    expect(card.status === 'done' && card.check.corrections[0]).toMatchObject({ original: 'go', corrected: 'went' });
    await until('the notebook', () => store.notebook.value.length === 1);
    expect(store.notebook.value[0]).toMatchObject({
      messageId: id,
      correctedSentence: 'Yesterday I went to the park.',
    });
    // The lane's timings are kept on the learner's turn (the bench reads them).
    await until('checkedAt', () => store.messages.value.find((m) => m.id === id)!.timings.checkedAt !== undefined);
    const timings = store.messages.value.find((m) => m.id === id)!.timings;
    expect(timings.checkedAt!).toBeGreaterThan(timings.checkStartedAt!);

    // Reopened, the conversation shows its cards again.
    await store.dispose();
    const reopened = await openPanel();
    await until('the card again', () => reopened.cards.value[id]?.status === 'done');
  });

  it('a check that fails shows Retry on the card, and Retry checks again; the spoken turn is untouched', async () => {
    const { requestCorrections } = await import('@/features/corrections/corrections');
    vi.mocked(requestCorrections).mockResolvedValueOnce({
      ok: false,
      failure: { kind: 'request-failed', message: 'The server did not answer.', canRetry: true },
    });
    const store = await openPanel();
    const id = await learnerTurn(store);
    await until('the failed card', () => store.cards.value[id]?.status === 'failed');
    expect(store.cards.value[id]).toMatchObject({ message: 'The server did not answer.', canRetry: true });
    expect(store.banner.value).toBeNull();
    store.retryCheck(id);
    await until('the card', () => store.cards.value[id]?.status === 'done');
  });

  it('"I didn’t say that" dismisses the correction and takes it out of the notebook', async () => {
    const store = await openPanel();
    const id = await learnerTurn(store);
    await until('the notebook', () => store.notebook.value.length === 1);
    await store.markMisheard(id, 0);
    const card = store.cards.value[id]!;
    expect(card.status === 'done' && card.check).toMatchObject({ dismissed: [0], misheard: true });
    await until('the notebook to empty', () => store.notebook.value.length === 0);
  });

  it('"Say it again" on the card judges the corrected sentence and updates the review of its notebook entry', async () => {
    const store = await openPanel();
    const id = await learnerTurn(store);
    await until(
      'the reply to end',
      () => store.phase.value === 'idle' && store.messages.value.at(-1)!.status === 'done',
    );
    await until('the notebook', () => store.notebook.value.length === 1);
    const due = store.notebook.value[0]!.due;
    const { cardTarget } = await import('../features/corrections/corrections-store');
    const target = cardTarget(id, 'Yesterday I went to the park.');
    transcript = 'Yesterday I went to the park.';
    const messages = store.messages.value.length;
    store.practise(target);
    await until('recording', () => store.phase.value === 'recording');
    await speak(microphones.at(-1)!);
    store.practise(target);
    await until('the result', () => store.attempts.value[target.id] !== undefined && store.phase.value === 'idle');
    expect(store.attempts.value[target.id]!.comparison!.allRight).toBe(true);
    await until('the review', () => store.notebook.value[0]?.lastAttempt !== undefined);
    expect(store.notebook.value[0]!.lastAttempt).toMatchObject({
      allRight: true,
      said: 'Yesterday I went to the park.',
    });
    expect(store.notebook.value[0]!.due).toBeGreaterThan(due);
    expect(store.messages.value).toHaveLength(messages);
  });

  it('New conversation shows the session card of the one that ended: its corrections and fluency from the recording', async () => {
    const store = await openPanel();
    await learnerTurn(store);
    await until('the notebook', () => store.notebook.value.length === 1);
    await store.newConversation();
    const session = store.session.value!;
    expect(session.corrections).toHaveLength(1);
    expect(session.corrections[0]).toMatchObject({ correctedSentence: 'Yesterday I went to the park.' });
    expect(session.fluency).toMatchObject({ source: 'recording-length', words: 6 });
    store.closeSession();
    await store.summarize();
    expect(store.session.value).toBeNull();
    expect(store.banner.value?.message).toContain('Nothing to summarise yet');
  });
});

describe('a page brought in', () => {
  it('while the teacher is still asking a fresh panel’s opening question: the teacher asks about the page right after', async () => {
    const { streamReply } = await import('@/features/talk/teacher-api');
    const { sendMessage } = await import('@/core/messages');
    vi.mocked(streamReply).mockClear();
    const store = newPanel();
    await store.init();
    // The opening question is on its way when the page shortcut's page arrives.
    expect(store.phase.value).not.toBe('idle');
    await sendMessage('sidepanel:page-request', {
      id: 'r1',
      at: Date.now(),
      windowId: 1,
      action: 'talk',
      result: {
        status: 'captured',
        page: {
          id: 'p1',
          title: 'Why cities plant trees',
          url: 'https://news.example.org/trees',
          lang: 'en',
          selection: '',
          text: 'Trees cool the streets around them.',
          capturedAt: Date.now(),
        },
      },
    });
    await until('the question about the page', () => vi.mocked(streamReply).mock.calls.length === 2);
    const [, messages] = vi.mocked(streamReply).mock.calls[1] as unknown as [
      unknown,
      Array<{ role: string; content: string }>,
    ];
    expect(messages[0]?.content).toContain('Trees cool the streets around them.');
    expect(messages.at(-1)?.content).toMatch(/^The learner has just brought in the page “Why cities plant trees”/);
    expect(store.pages.value.map((page) => page.title)).toEqual(['Why cities plant trees']);
    await until('both replies done', () => store.phase.value === 'idle' && store.messages.value.length === 2);
    await store.dispose();
  });
});

describe('a voice sample (Settings › Voice), through the real offscreen service', () => {
  const picked = { url: 'http://127.0.0.1:8730', token: '', voice: 'bf_emma' };

  it('asks the companion for the sample line in the picked voice, plays it, and Stop silences it', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value[0]?.status === 'done');
    companionFetch.mockClear();
    clipSeconds = 2;
    const id = store.playVoiceSample(picked);
    expect(id).not.toBeNull();
    await until('the sample playing', () => context.sources.some((s) => s.buffer?.text === 'Hello!'));
    const asked = companionFetch.mock.calls.map(([url, init]) => ({ url, body: JSON.parse(String(init?.body)) }));
    expect(asked[0]).toEqual({
      url: 'http://127.0.0.1:8730/v1/audio/speech',
      body: expect.objectContaining({ input: 'Hello!', voice: 'bf_emma' }),
    });
    expect(store.voiceSample.value).toEqual({ id, status: 'playing' });
    store.stopVoiceSample(id!);
    const sample = context.sources.find((s) => s.buffer?.text === 'Hello!')!;
    await until('the sample silenced', () => sample.stoppedAt !== undefined);
    expect(store.voiceSample.value).toEqual({ id, status: 'stopped' });
    // No browser voice, no banner: the learner asked for that voice and stopped it.
    expect(spoken).toEqual([]);
  });

  it('with the companion down: says why beside the voice, and neither the browser’s voice nor the banner takes over', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value[0]?.status === 'done');
    store.dismissBanner();
    companionUp = false;
    const id = store.playVoiceSample(picked);
    await until('the sample failed', () => store.voiceSample.value?.status === 'failed');
    expect(store.voiceSample.value).toMatchObject({ id, unreachable: true });
    await settle();
    expect(spoken).toEqual([]);
    expect(store.banner.value).toBeNull();
    expect(store.phase.value).toBe('idle');
  });

  it('is not played over the learner', async () => {
    const store = await openPanel();
    await until('the opening reply', () => store.phase.value === 'idle' && store.messages.value[0]?.status === 'done');
    store.toggleTalk();
    await until('recording', () => store.phase.value === 'recording');
    expect(store.playVoiceSample(picked)).toBeNull();
  });
});

describe('the teacher remembers (features/memory)', () => {
  const systemMessageOf = async (call: number): Promise<string> => {
    const { streamReply } = await import('@/features/talk/teacher-api');
    const messages = vi.mocked(streamReply).mock.calls.at(call)![1] as Array<{ role: string; content: string }>;
    return messages.find((m) => m.role === 'system')?.content ?? '';
  };

  it('opens a new conversation with a past-tense focus after past-tense mistakes in two sessions, and none with memory off', async () => {
    const { saveCheck } = await import('@/features/corrections/notebook');
    const past = {
      original: 'go',
      corrected: 'went',
      explanation: 'Past tense.',
      kind: 'grammar' as const,
      grammarPoint: 'past-simple' as const,
    };
    const check = { sentence: 'Yesterday I go home', corrections: [past], natural: '', dropped: 0 };
    await saveCheck(check, { messageId: 'm1', conversationId: 'earlier-1' });
    await saveCheck(check, { messageId: 'm2', conversationId: 'earlier-1' });
    await saveCheck(check, { messageId: 'm3', conversationId: 'earlier-2' });
    const { streamReply } = await import('@/features/talk/teacher-api');
    vi.mocked(streamReply).mockClear();

    const store = await openPanel();
    await until('the opening question', () => vi.mocked(streamReply).mock.calls.length === 1);
    expect(await systemMessageOf(-1)).toContain('two chances to use the past simple');

    await until('idle', () => store.phase.value === 'idle');
    await store.saveSettings({ ...store.settings.value, memory: false }, 'sk-test', { open: false });
    await store.newConversation();
    await until('the next opening question', () => vi.mocked(streamReply).mock.calls.length === 2);
    expect(await systemMessageOf(-1)).not.toMatch(/past simple|This session|remember about this learner/);
  });
});
