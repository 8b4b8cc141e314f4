import { createEmptyCard } from 'ts-fsrs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createConversation, deleteConversation, getConversation, listMessages, putMessage } from './conversations';
import { resetDbConnection } from './open';
import { DB_NAME, type SoundEntry } from './schema';
import { db } from './open';
import { getSound, keepJudgedAttempt, listJudgedAttemptsSince, listSounds, type SoundChange } from './sounds';
import { deleteDatabase } from '../testing/idb';

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

/** A judged attempt that changes no sound. */
const attempt = (id: string, at: number, conversationId: string | null) =>
  keepJudgedAttempt({ id, at, conversationId, kind: 'repeat', score: 50 }, new Map());

/** A sound as earlier attempts left it. */
const putSound = async (entry: SoundEntry) => void (await (await db()).put('sounds', entry));

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
    const judged = (id: string, sounds: Map<SoundEntry['id'], SoundChange>) =>
      keepJudgedAttempt(
        { id, at: 1, conversationId: null, kind: 'repeat', score: 50, sounds: [...sounds.keys()] },
        sounds,
      );
    await Promise.all(['a1', 'a2', 'a3'].map((id) => judged(id, new Map([['v', slip]]))));
    expect((await getSound('v'))?.wrongCount).toBe(3);
    // Leaving a sound as it is writes nothing.
    await judged('a4', new Map([['w', () => undefined]]));
    expect(await getSound('w')).toBeUndefined();
  });

  it('lists sounds the one due soonest first, and judged attempts from a date on, oldest first', async () => {
    await putSound(sound('r', 30));
    await putSound(sound('l', 10));
    expect((await listSounds()).map((s) => s.id)).toEqual(['l', 'r']);
    for (const [id, at] of [
      ['b', 200],
      ['a', 100],
      ['c', 300],
    ] as const) {
      await attempt(id, at, null);
    }
    expect((await listJudgedAttemptsSince(150)).map((a) => a.id)).toEqual(['b', 'c']);
  });
});

describe('deleting a conversation', () => {
  it('takes out of a sound at least what its examples from there show, for attempts kept before they named sounds', async () => {
    const example = (conversationId: string, at: number) => ({ word: 'think', text: 'I think', at, conversationId });
    await putSound({
      ...sound('th-voiceless', 5),
      examples: [example('gone', 3), example('kept', 2), example('gone', 1)],
      wrongCount: 4,
      conversationIds: ['gone', 'kept'],
    });
    // Wrong in "gone" once without an example left to show it.
    await putSound({ ...sound('l', 5), wrongCount: 2, conversationIds: ['kept', 'gone'] });
    await attempt('old', 1, 'gone');

    await deleteConversation('gone');

    expect(await getSound('th-voiceless')).toMatchObject({
      wrongCount: 2,
      conversationIds: ['kept'],
      examples: [example('kept', 2)],
    });
    expect(await getSound('l')).toMatchObject({ wrongCount: 1, conversationIds: ['kept'] });
    expect(await listJudgedAttemptsSince(0)).toEqual([]);
  });

  it('deletes nothing when any part of it fails: the conversation, its messages and its sounds all stay', async () => {
    const conversation = await createConversation();
    await putMessage({
      id: 'm1',
      conversationId: conversation.id,
      role: 'user',
      text: 'I think so',
      status: 'done',
      createdAt: 1,
      timings: {},
    });
    await attempt('a1', 1, conversation.id);
    await putSound({ ...sound('th-voiceless', 5), wrongCount: 1, conversationIds: [conversation.id] });
    // The last step, taking the sound out, throws (a stand-in for any failure after the first deletions).
    const original = IDBObjectStore.prototype.delete;
    const remove = vi.spyOn(IDBObjectStore.prototype, 'delete').mockImplementation(function (
      this: IDBObjectStore,
      key: IDBValidKey | IDBKeyRange,
    ) {
      if (this.name === 'sounds') throw new DOMException('stand-in failure', 'UnknownError');
      return original.call(this, key);
    });
    try {
      await expect(deleteConversation(conversation.id)).rejects.toThrow('stand-in failure');
    } finally {
      remove.mockRestore();
    }

    expect((await getConversation(conversation.id))?.id).toBe(conversation.id);
    expect((await listMessages(conversation.id)).map((m) => m.id)).toEqual(['m1']);
    expect((await listJudgedAttemptsSince(0)).map((a) => a.id)).toEqual(['a1']);
    expect((await getSound('th-voiceless'))?.wrongCount).toBe(1);
  });
});
