import path from 'node:path';
import { computed, signal } from '@preact/signals';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createConversation, deleteConversation, putMessage } from '@/core/db/conversations';
import { resetDbConnection } from '@/core/db/open';
import { DB_NAME, newId, type StoredCheck } from '@/core/db/schema';
import { listSounds } from '@/core/db/sounds';
import type { PronunciationJudgement, SoundToWorkOn } from '@/core/pronunciation';
import { applyInterfaceLanguage, setMessages } from '@/core/i18n';
import { chatCompletion } from '@/core/testing/chat';
import { deleteDatabase } from '@/core/testing/idb';
import type { PanelStore } from '../../panel/panel-store';
import type { Shown } from '../../panel/shown';
import { StoreContext } from '../../panel/store-context';
import type { StructuredMode } from '../corrections/correction-schema';
import { listNotebook, saveCheck } from '../corrections/notebook';
import { createSounds, soundsWorkedOnSince } from '../pronunciation/sounds-store';
import { DEFAULT_SETTINGS, type Settings } from '../settings/settings';
import type { SettingsSync } from '../settings/settings-sync';
import { apiEndpoints } from '../settings/endpoints';
import { memoryActions } from './memory-actions';
import { ShownProposal } from './MemoryPanel';
import { createMemory } from './memory-store';
import { addFacts } from './profile';

const T0 = new Date(2026, 10, 2, 10, 0, 0).getTime();

function settingsSync(): SettingsSync {
  const settings = signal<Settings>({ ...DEFAULT_SETTINGS, apiBaseUrl: 'https://api.example.test/v1' });
  const endpoints = computed(() => apiEndpoints(settings.value, { apiKey: 'sk-test', transcriptionKey: '' }));
  return { settings, endpoints, hasKey: computed(() => true) } as unknown as SettingsSync;
}

function structuredSupport() {
  const known = new Map<string, StructuredMode>();
  return {
    get: async (url: string) => known.get(url),
    remember: async (url: string, mode: StructuredMode) => void known.set(url, mode),
  };
}

const PAST: StoredCheck['corrections'] = [
  { original: 'go', corrected: 'went', explanation: '', kind: 'grammar', grammarPoint: 'past-simple' },
];

/** A sentence of a conversation checked with a past-simple correction, as the corrections lane keeps it. */
async function checked(conversationId: string, at: number): Promise<void> {
  await saveCheck(
    { sentence: 'Yesterday I go', natural: 'Yesterday I went', dropped: 0, corrections: PAST },
    { messageId: newId(), conversationId },
    at,
  );
}

const TH: SoundToWorkOn = { sound: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', kind: 'substituted' };

/** A Repeat after me attempt in which /θ/ went wrong. */
async function slipped(conversationId: string, at: number): Promise<void> {
  const pronunciation: PronunciationJudgement = {
    kind: 'judged',
    score: 50,
    words: [{ text: 'think', verdict: 'unclear', start: 0, end: 0, score: 40, phones: [] }],
    soundsToWorkOn: [TH],
    elapsedMs: 100,
  };
  const target = { id: `repeat:${newId()}:0`, text: 'I think so', kind: 'repeat' as const };
  await createSounds().onAttempt({ target, said: '', pronunciation, durationMs: 1500, at }, conversationId);
}

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

afterEach(async () => {
  cleanup();
  await applyInterfaceLanguage('browser');
  await resetDbConnection();
});

describe('what the teacher remembers, as the panel holds it', () => {
  it('"Forget everything" forgets the facts, the recurring mistakes and the sounds; the notebook and its sounds stay', async () => {
    const memory = createMemory({ settings: settingsSync(), sounds: soundsWorkedOnSince });
    await addFacts([{ kind: 'job', text: 'Works as a nurse' }], 'c1', T0);
    await checked('c1', T0);
    await checked('c2', T0 + 1);
    await slipped('c1', T0 + 2);
    await memory.refresh();
    expect(memory.facts.value.map((f) => f.text)).toEqual(['Works as a nurse']);
    expect(memory.recurring.value.map((m) => m.point)).toEqual(['past-simple']);
    expect(memory.sounds.value).toEqual(['/θ/ (think)']);
    expect(memory.forTeacher()).not.toBeNull();

    await memory.forgetAll();

    expect(memory.facts.value).toEqual([]);
    expect(memory.recurring.value).toEqual([]);
    expect(memory.sounds.value).toEqual([]);
    // The learner's review is not the teacher's memory: the notebook's entries and the Sounds tab stay.
    expect((await listNotebook()).length).toBe(2);
    expect((await listSounds()).map((s) => [s.id, s.wrongCount])).toEqual([['th-voiceless', 1]]);
    // What happens afterwards counts again.
    await slipped('c3', Date.now() + 1);
    await memory.refresh();
    expect(memory.sounds.value).toEqual(['/θ/ (think)']);
  });

  it('forgets what a deleted conversation taught it: its mistakes no longer recur, its sounds are not worked on', async () => {
    const memory = createMemory({ settings: settingsSync(), sounds: soundsWorkedOnSince });
    const gone = await createConversation();
    await checked(gone.id, T0);
    await checked('c2', T0 + 1);
    await slipped(gone.id, T0 + 2);
    await memory.refresh();
    expect(memory.recurring.value.length).toBe(1);
    expect(memory.sounds.value.length).toBe(1);

    await deleteConversation(gone.id);
    await memory.refresh();

    expect(memory.recurring.value).toEqual([]);
    expect(memory.sounds.value).toEqual([]);
  });
});

describe('facts proposed at the end of a conversation', () => {
  const FACTS_ANSWER = chatCompletion(JSON.stringify({ facts: [{ kind: 'job', text: 'Works as a nurse' }] }));

  /**
   * The chat server: unavailable (503, retry at once) while `down`, then answering with one fact; while `held`, it
   * answers nothing until released.
   */
  function chatServer() {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = { down: true, held: false, requests: 0, release };
    const fetch = vi.fn(async () => {
      server.requests += 1;
      if (server.held) await held;
      if (server.down) {
        return new Response(JSON.stringify({ error: { message: 'The model is loading' } }), {
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '0' },
        });
      }
      return new Response(JSON.stringify(FACTS_ANSWER), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    return { server, fetch: fetch as unknown as typeof globalThis.fetch };
  }

  async function endedConversation(): Promise<string> {
    const conversation = await createConversation();
    await putMessage({
      id: newId(),
      conversationId: conversation.id,
      role: 'user',
      text: 'I work as a nurse in a big hospital.',
      status: 'done',
      createdAt: T0,
      timings: {},
    });
    return conversation.id;
  }

  function shownIn(memory: ReturnType<typeof createMemory>) {
    const passThrough: Shown = (_what, action) => action;
    const store = { memory: memoryActions(memory, passThrough) } as unknown as PanelStore;
    return render(
      <StoreContext.Provider value={store}>
        <ShownProposal />
      </StoreContext.Provider>,
    );
  }

  it('a failed request shows a quiet note saying what to do; Retry asks again and shows the card', async () => {
    const { server, fetch } = chatServer();
    const memory = createMemory({ settings: settingsSync(), proposalOptions: { fetch, support: structuredSupport() } });
    const conversationId = await endedConversation();
    shownIn(memory);

    await memory.propose(conversationId);

    expect(memory.proposal.value).toBeNull();
    expect(memory.proposalFailed.value).toMatchObject({ conversationId });
    const note = await screen.findByRole('status');
    expect(note.textContent).toMatch(/^Your teacher could not suggest what to remember from this conversation\./);
    expect(note.textContent).toContain('Press Retry');
    expect(note.textContent).toContain('What went wrong: api.example.test had a problem on its side (503)');

    server.down = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('button', { name: 'Keep “Works as a nurse”' })).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    expect(memory.proposalFailed.value).toBeNull();
  });

  it('Not now (or Escape) lets the failure go; a request the learner ended (aborted) shows nothing', async () => {
    const { server, fetch } = chatServer();
    const memory = createMemory({ settings: settingsSync(), proposalOptions: { fetch, support: structuredSupport() } });
    const conversationId = await endedConversation();
    shownIn(memory);
    await memory.propose(conversationId);
    fireEvent.click(await screen.findByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('status')).toBeNull();
    expect(memory.proposalFailed.value).toBeNull();
    await memory.retryProposal();
    expect(memory.proposalFailed.value).toBeNull();
    // Escape is Not now, too.
    await memory.propose(await endedConversation());
    fireEvent.keyDown(await screen.findByRole('button', { name: 'Retry' }), { key: 'Escape' });
    expect(screen.queryByRole('status')).toBeNull();

    server.held = true;
    const before = server.requests;
    const asking = memory.propose(await endedConversation());
    await vi.waitFor(() => expect(server.requests).toBeGreaterThan(before));
    memory.closeProposal();
    server.release();
    await asking;
    expect(memory.proposalFailed.value).toBeNull();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('says so in Simplified Chinese', async () => {
    const file = (locale: string) => path.resolve(__dirname, `../../locales/${locale}.yml`);
    const en = generateChromeMessages(await parseMessagesFile(file('en')));
    setMessages('zh_CN', generateChromeMessages(await parseMessagesFile(file('zh_CN'))), en);
    const { fetch } = chatServer();
    const memory = createMemory({ settings: settingsSync(), proposalOptions: { fetch, support: structuredSupport() } });
    shownIn(memory);
    await memory.propose(await endedConversation());
    expect((await screen.findByRole('status')).textContent).toMatch(/^老师没能从这次对话中建议要记住的内容。/);
    expect(screen.getByRole('status').textContent).toContain('出错原因：');
    expect(screen.getByRole('button', { name: '重试' })).toBeTruthy();
  });
});
