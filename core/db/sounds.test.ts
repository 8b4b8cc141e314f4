import { createEmptyCard } from 'ts-fsrs';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetDbConnection } from './open';
import { DB_NAME, type SoundEntry } from './schema';
import { addJudgedAttempt, getSound, listJudgedAttemptsSince, listSounds, updateSound } from './sounds';
import { deleteDatabase } from '../testing/idb';

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

const sound = (id: SoundEntry['id'], due: number): SoundEntry => ({
  id,
  ipa: id,
  examples: [],
  wrongCount: 0,
  conversationIds: [],
  createdAt: 0,
  updatedAt: 0,
  card: createEmptyCard(new Date(due)),
  due,
});

describe('the sounds store', () => {
  it('adds both of two updates made at once (two panels judging together), none lost', async () => {
    const slip = (old: SoundEntry | undefined) => {
      const base = old ?? sound('v', 5);
      return { ...base, wrongCount: base.wrongCount + 1 };
    };
    await Promise.all([updateSound('v', slip), updateSound('v', slip), updateSound('v', slip)]);
    expect((await getSound('v'))?.wrongCount).toBe(3);
    // Leaving a sound as it is writes nothing.
    expect(await updateSound('w', () => undefined)).toBeUndefined();
    expect(await getSound('w')).toBeUndefined();
  });

  it('lists sounds the one due soonest first, and judged attempts from a date on, oldest first', async () => {
    await updateSound('r', () => sound('r', 30));
    await updateSound('l', () => sound('l', 10));
    expect((await listSounds()).map((s) => s.id)).toEqual(['l', 'r']);
    for (const [id, at] of [
      ['b', 200],
      ['a', 100],
      ['c', 300],
    ] as const) {
      await addJudgedAttempt({ id, at, conversationId: null, kind: 'repeat', score: 50 });
    }
    expect((await listJudgedAttemptsSince(150)).map((a) => a.id)).toEqual(['b', 'c']);
  });
});
