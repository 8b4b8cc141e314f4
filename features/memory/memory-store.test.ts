import { computed, signal } from '@preact/signals';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createConversation, deleteConversation } from '@/core/db/conversations';
import { resetDbConnection } from '@/core/db/open';
import { DB_NAME, newId, type StoredCheck } from '@/core/db/schema';
import { listSounds } from '@/core/db/sounds';
import type { PronunciationJudgement, SoundToWorkOn } from '@/core/pronunciation';
import { deleteDatabase } from '@/core/testing/idb';
import { listNotebook, saveCheck } from '../corrections/notebook';
import { createSounds, soundsWorkedOnSince } from '../pronunciation/sounds-store';
import { DEFAULT_SETTINGS, type Settings } from '../settings/settings';
import type { SettingsSync } from '../settings/settings-sync';
import { apiEndpoints } from '../settings/endpoints';
import { createMemory } from './memory-store';
import { addFacts } from './profile';

const T0 = new Date(2026, 10, 2, 10, 0, 0).getTime();

function settingsSync(): SettingsSync {
  const settings = signal<Settings>({ ...DEFAULT_SETTINGS, apiBaseUrl: 'https://api.example.test/v1' });
  const endpoints = computed(() => apiEndpoints(settings.value, { apiKey: 'sk-test', transcriptionKey: '' }));
  return { settings, endpoints, hasKey: computed(() => true) } as unknown as SettingsSync;
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
