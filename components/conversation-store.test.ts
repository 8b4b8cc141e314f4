import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { SpeechEvent } from '@/utils/messages';

/**
 * The panel's turn logic with the other contexts replaced: messages to the offscreen document
 * and the background are recorded and answered here, the chat stream is scripted, and the
 * browser's speechSynthesis is a fake whose utterances the test finishes one by one.
 */

const sent: Array<{ type: string; data: unknown }> = [];
const listeners: Record<string, (message: { data: unknown }) => unknown> = {};
vi.mock('@/utils/messages', () => ({
  now: () => performance.now(),
  sendMessage: vi.fn(async (type: string, data?: unknown) => {
    sent.push({ type, data });
    if (type === 'offscreen:speak') return sent.filter((m) => m.type === 'offscreen:speak').length - 1;
    if (type === 'offscreen:stop-speech') return { turnId: null, heard: [], stoppedAt: performance.now() };
    return undefined;
  }),
  onMessage: vi.fn((type: string, listener: (message: { data: unknown }) => unknown) => {
    listeners[type] = listener;
    return () => undefined;
  }),
}));

let replyText = '';
vi.mock('@/utils/teacher-api', () => ({
  testApi: vi.fn(),
  transcribe: vi.fn(),
  streamReply: vi.fn(async (_config: unknown, _messages: unknown, onDelta: (text: string) => void) => {
    for (const token of replyText.split(/(?<= )/)) onDelta(token);
    return replyText;
  }),
}));

class FakeUtterance {
  onend: (() => void) | null = null;
  onerror: (() => void) | null = null;
  lang = '';
  rate = 1;
  constructor(readonly text: string) {}
}
const spoken: FakeUtterance[] = [];
const speech = {
  speak: vi.fn((utterance: FakeUtterance) => spoken.push(utterance)),
  cancel: vi.fn(),
};

const { createConversationStore } = await import('./conversation-store');
const { apiKeyItem } = await import('@/utils/settings');
const { resetDbConnection } = await import('@/utils/db');

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function speechEvent(event: SpeechEvent) {
  return listeners['sidepanel:speech-event']?.({ data: event });
}

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  indexedDB.deleteDatabase('aitalk');
  sent.length = 0;
  spoken.length = 0;
  vi.stubGlobal('speechSynthesis', speech);
  vi.stubGlobal('SpeechSynthesisUtterance', FakeUtterance);
  await apiKeyItem.setValue('sk-test');
});

describe('the teacher’s reply when the companion cannot be reached', () => {
  it('is read by the browser’s voice sentence after sentence, and the turn ends only after the last one', async () => {
    replyText = 'Hello, I am your teacher. What did you do last weekend? Tell me everything.';
    const store = createConversationStore();
    await store.init();
    await settle();
    const speaks = sent.filter((m) => m.type === 'offscreen:speak').map((m) => m.data as { turnId: string; text: string });
    expect(speaks.map((s) => s.text)).toEqual(['Hello, I am your teacher.', 'What did you do last weekend?', 'Tell me everything.']);

    await speechEvent({ type: 'failed', turnId: speaks[0]!.turnId, seq: 0, message: 'refused', unplayed: [], companionUnreachable: true });
    await settle();
    expect(store.banner.value?.message).toContain('npm run companion');
    // One at a time: the next sentence is spoken when the previous one has ended.
    expect(spoken.map((u) => u.text)).toEqual(['Hello, I am your teacher.']);
    expect(store.phase.value).toBe('speaking');
    spoken[0]!.onend?.();
    expect(spoken.map((u) => u.text)).toEqual(['Hello, I am your teacher.', 'What did you do last weekend?']);
    spoken[1]!.onend?.();
    expect(store.phase.value).toBe('speaking');
    spoken[2]!.onend?.();
    expect(store.phase.value).toBe('idle');
    expect(store.messages.value[0]?.status).toBe('done');
  });

  it('an interruption keeps the sentences the browser’s voice had read, and silences it', async () => {
    replyText = 'First sentence here. Second sentence here. Third sentence here.';
    const store = createConversationStore();
    await store.init();
    await settle();
    const turnId = (sent.find((m) => m.type === 'offscreen:speak')!.data as { turnId: string }).turnId;
    await speechEvent({ type: 'failed', turnId, seq: 0, message: 'refused', unplayed: [], companionUnreachable: true });
    await settle();
    spoken[0]!.onend?.();
    expect(spoken).toHaveLength(2);

    await store.toggleTalk(); // barge-in while the second sentence is being read
    await settle();
    expect(speech.cancel).toHaveBeenCalled();
    const reply = store.messages.value[0]!;
    expect(reply.status).toBe('interrupted');
    expect(reply.text).toBe('First sentence here. Second sentence here.');
    // Nothing more of the old reply is read once the learner has interrupted.
    spoken[1]!.onend?.();
    expect(spoken).toHaveLength(2);
  });
});
