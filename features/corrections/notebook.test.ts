import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { SentenceCheck } from './correction-schema';
import { DB_NAME } from '../../core/db/schema';
import { resetDbConnection } from '../../core/db/open';
import { createConversation, deleteConversation } from '../../core/db/conversations';
import {
  dueCount,
  entriesOfMessage,
  getCheck,
  listChecks,
  listDue,
  listNotebook,
  markMisheard,
  recordAttempt,
  saveCheck,
} from './notebook';
import { compareAttempt } from './word-diff';

const DAY = 24 * 60 * 60 * 1000;
const NOON = new Date(2026, 10, 29, 12, 0, 0).getTime();

const LIBRARY: SentenceCheck = {
  sentence: 'Yesterday I go to the library and buyed two book',
  corrections: [
    { original: 'go', corrected: 'went', explanation: 'Past tense.', kind: 'grammar' },
    { original: 'buyed', corrected: 'bought', explanation: '"Buy" is irregular.', kind: 'grammar' },
    { original: 'two book', corrected: 'two books', explanation: 'Plural after two.', kind: 'grammar' },
  ],
  natural: 'Yesterday I went to the library and bought two books.',
  dropped: 0,
};
const PHOTO: SentenceCheck = {
  sentence: 'I make a photo of the beach',
  corrections: [
    { original: 'make a photo', corrected: 'take a photo', explanation: 'We take photos.', kind: 'word_choice' },
    { original: 'beach', corrected: 'peach', explanation: 'Did you mean the fruit?', kind: 'possibly_misheard' },
  ],
  natural: 'I took a photo of the beach.',
  dropped: 0,
};

async function deleteDatabase(name: string) {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

describe('the notebook', () => {
  it('keeps every correction with its sentence, conversation and date, newest first', async () => {
    const talk = await createConversation();
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: talk.id }, NOON);
    await saveCheck(PHOTO, { messageId: 'm2', conversationId: talk.id }, NOON + 1000);
    const entries = await listNotebook();
    expect(entries.map((e) => e.correction.corrected)).toEqual(['take a photo', 'went', 'bought', 'two books']);
    expect(entries[1]).toMatchObject({
      conversationId: talk.id,
      messageId: 'm1',
      sentence: LIBRARY.sentence,
      correctedSentence: 'Yesterday I went to the library and bought two books',
      natural: LIBRARY.natural,
      createdAt: NOON,
    });
  });

  it('leaves possible mishearings out: they are the recogniser’s mistakes, not the learner’s', async () => {
    await saveCheck(PHOTO, { messageId: 'm2', conversationId: 'c' }, NOON);
    expect((await listNotebook()).map((e) => e.correction.kind)).toEqual(['word_choice']);
  });

  it('filters by kind and searches sentences, corrections and explanations', async () => {
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: 'c' }, NOON);
    await saveCheck(PHOTO, { messageId: 'm2', conversationId: 'c' }, NOON + 1);
    expect((await listNotebook({ kind: 'word_choice' })).map((e) => e.correction.original)).toEqual(['make a photo']);
    expect((await listNotebook({ search: 'IRREGULAR' })).map((e) => e.correction.original)).toEqual(['buyed']);
    expect(await listNotebook({ search: 'library', kind: 'word_choice' })).toEqual([]);
  });

  it('replaces a sentence’s entries when its check is saved again (Retry), instead of doubling them', async () => {
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: 'c' }, NOON);
    await saveCheck(
      { ...LIBRARY, corrections: LIBRARY.corrections.slice(0, 1) },
      { messageId: 'm1', conversationId: 'c' },
      NOON + 5,
    );
    expect((await listNotebook()).map((e) => e.correction.original)).toEqual(['go']);
  });

  it('"I didn’t say that" dismisses the correction, marks the transcript misheard and takes it out of the notebook', async () => {
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: 'c' }, NOON);
    const updated = await markMisheard('m1', 1);
    expect(updated).toMatchObject({ dismissed: [1], misheard: true });
    expect(await getCheck('m1')).toMatchObject({ dismissed: [1], misheard: true });
    const left = await entriesOfMessage('m1');
    expect(left.map((e) => e.correction.original).sort()).toEqual(['go', 'two book']);
    // The sentence to practise no longer contains the dismissed fix.
    expect(left.every((e) => e.correctedSentence === 'Yesterday I went to the library and buyed two books')).toBe(true);
  });

  it('counts new corrections as due today, and a right repetition schedules the next review later', async () => {
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: 'c' }, NOON);
    expect(await dueCount(NOON)).toBe(3);
    const [first] = await entriesOfMessage('m1');
    const target = first!.correctedSentence;
    let entry = await recordAttempt(first!.id, target, compareAttempt(target, target), NOON + 60_000);
    // A good recall of a new card passes through the short learning step (minutes), then days.
    entry = await recordAttempt(first!.id, target, compareAttempt(target, target), entry!.due);
    expect(entry!.due).toBeGreaterThan(NOON + DAY / 2);
    expect(entry!.lastAttempt).toMatchObject({ allRight: true, right: 10, total: 10 });
    expect(await dueCount(NOON + 2 * 60_000 + 10 * 60_000)).toBe(2);
    expect((await listDue(NOON)).map((e) => e.id)).not.toContain(first!.id);
  });

  it('keeps a failed repetition due soon', async () => {
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: 'c' }, NOON);
    const [first] = await entriesOfMessage('m1');
    const entry = await recordAttempt(
      first!.id,
      'Yesterday I go',
      compareAttempt(first!.correctedSentence, 'Yesterday I go'),
      NOON,
    );
    expect(entry!.due).toBeLessThan(NOON + 60 * 60_000);
    expect(entry!.lastAttempt?.allRight).toBe(false);
  });

  it('survives deleting the conversation, whose checks go with it', async () => {
    const talk = await createConversation();
    await saveCheck(LIBRARY, { messageId: 'm1', conversationId: talk.id }, NOON);
    await deleteConversation(talk.id);
    expect(await listChecks(talk.id)).toEqual([]);
    expect(await listNotebook()).toHaveLength(3);
  });
});
