import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { openAITalkDB, resetDbConnection } from '@/core/db/open';
import { DB_NAME, DB_VERSION, type StoredCheck } from '@/core/db/schema';
import { deleteDatabase } from '@/core/testing/idb';
import { saveCheck } from '../corrections/notebook';
import {
  addFacts,
  deleteFact,
  forgetEverything,
  forgottenAtItem,
  listChecksSince,
  listFacts,
  MAX_FACT_LENGTH,
  updateFact,
} from './profile';

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

afterEach(async () => {
  await resetDbConnection();
});

describe('the profile store', () => {
  it('is added to a version-4 database without touching what it held', async () => {
    const name = 'aitalk-upgrade-v4-profile-test';
    await deleteDatabase(name);
    // Version 4 as that release left it: the real steps 1–4, asked for by number.
    const v4 = await openDB(name, 4, {
      upgrade(db) {
        db.createObjectStore('conversations', { keyPath: 'id' }).createIndex('by-updated', 'updatedAt');
        db.createObjectStore('checks', { keyPath: 'messageId' }).createIndex('by-conversation', 'conversationId');
      },
    });
    await v4.put('checks', { messageId: 'm1', conversationId: 'c1', checkedAt: 3 });
    v4.close();
    const upgraded = await openAITalkDB(name);
    expect(upgraded.version).toBe(DB_VERSION);
    expect((await upgraded.get('checks', 'm1'))?.conversationId).toBe('c1');
    expect([...upgraded.transaction('profile').store.indexNames]).toEqual(['by-created']);
    upgraded.close();
    await deleteDatabase(name);
  });

  it('keeps, edits and deletes facts, oldest first, one line each', async () => {
    const [name, interview] = await addFacts(
      [
        { kind: 'name', text: '  Is called\nLi Wei ' },
        { kind: 'event', text: 'Has a job interview on Friday' },
        { kind: 'goal', text: '   ' },
      ],
      'c1',
      100,
    );
    expect((await listFacts()).map((f) => [f.kind, f.text, f.conversationId])).toEqual([
      ['name', 'Is called Li Wei', 'c1'],
      ['event', 'Has a job interview on Friday', 'c1'],
    ]);
    await updateFact(interview!.id, { text: 'Has a job interview on Monday', kind: 'event' });
    // Emptying a fact's words does not leave an empty fact behind.
    await updateFact(name!.id, { text: ' ' });
    await addFacts([{ kind: 'interests', text: 'x'.repeat(500) }], 'c2', 200);
    const facts = await listFacts();
    expect(facts.map((f) => f.text.length <= MAX_FACT_LENGTH)).toEqual([true, true, true]);
    expect(facts[1]?.text).toBe('Has a job interview on Monday');
    expect(facts[0]?.text).toBe('Is called Li Wei');
    await deleteFact(interview!.id);
    expect((await listFacts()).map((f) => f.kind)).toEqual(['name', 'interests']);
  });

  it('forgets everything: facts deleted, earlier checks no longer count, the notebook kept', async () => {
    await addFacts([{ kind: 'job', text: 'Works as a nurse' }], 'c1', 1);
    const sentence = { sentence: 'Yesterday I go', natural: '', dropped: 0 };
    const corrections: StoredCheck['corrections'] = [
      { original: 'go', corrected: 'went', explanation: '', kind: 'grammar', grammarPoint: 'past-simple' },
    ];
    await saveCheck({ ...sentence, corrections }, { messageId: 'm1', conversationId: 'c1' }, 1000);
    await forgetEverything(2000);
    await saveCheck({ ...sentence, corrections }, { messageId: 'm2', conversationId: 'c2' }, 3000);
    expect(await listFacts()).toEqual([]);
    const since = await forgottenAtItem.getValue();
    expect((await listChecksSince(since)).map((c) => c.messageId)).toEqual(['m2']);
    expect((await listChecksSince(0)).length).toBe(2);
  });
});
