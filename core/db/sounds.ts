import type { IDBPTransaction, StoreNames } from 'idb';
import type { HardSoundId } from '../pronunciation';
import { db } from './open';
import type { AITalkSchema, JudgedAttempt, SoundEntry } from './schema';

/**
 * The sounds to work on and the scores of judged attempts. What goes into them (examples, counts, the review
 * schedule) is decided by features/pronunciation/sounds-store.ts; these functions only keep it.
 */

export async function getSound(id: HardSoundId): Promise<SoundEntry | undefined> {
  return (await db()).get('sounds', id);
}

/** Every sound to work on, the one due soonest first. */
export async function listSounds(): Promise<SoundEntry[]> {
  return (await db()).getAllFromIndex('sounds', 'by-due');
}

export async function deleteSound(id: HardSoundId): Promise<void> {
  await (await db()).delete('sounds', id);
}

/**
 * How one sound's record changes with an attempt (undefined: leave it). It must not await: a transaction closes when
 * its code waits on anything but IndexedDB.
 */
export type SoundChange = (old: SoundEntry | undefined) => SoundEntry | undefined;

/**
 * Keeps a judged attempt and what it changes in the sounds, in one transaction: the sounds an attempt names
 * (`attempt.sounds`) are the ones its conversation's deletion takes back out of their counts, so the two never
 * disagree; and each sound is read and written in it, so two panels judging at once each add their attempt rather
 * than one overwriting the other's.
 */
export async function keepJudgedAttempt(
  attempt: JudgedAttempt,
  changes: ReadonlyMap<HardSoundId, SoundChange>,
): Promise<void> {
  const tx = (await db()).transaction(['attempts', 'sounds'], 'readwrite');
  await tx.objectStore('attempts').put(attempt);
  const sounds = tx.objectStore('sounds');
  for (const [id, change] of changes) {
    const next = change(await sounds.get(id));
    if (next) await sounds.put(next);
  }
  await tx.done;
}

/**
 * A sound's record without what one conversation put into it: its `slips` (attempts there it went wrong in) out of
 * the count, its examples from there and the conversation itself gone; undefined when nothing else went wrong in
 * it (the Sounds tab no longer shows it). Its review schedule stays as it is. Attempts kept before they named their
 * sounds are not counted in `slips`, so the conversation's examples (and its being listed at all) are the least it
 * took away.
 */
export function soundWithoutConversation(
  entry: SoundEntry,
  conversationId: string,
  slips: number,
): SoundEntry | undefined {
  const examples = entry.examples.filter((example) => example.conversationId !== conversationId);
  const listed = entry.conversationIds.includes(conversationId) ? 1 : 0;
  const removed = Math.max(slips, entry.examples.length - examples.length, listed);
  if (removed === 0) return entry;
  const wrongCount = entry.wrongCount - removed;
  if (wrongCount <= 0) return undefined;
  return {
    ...entry,
    examples,
    wrongCount,
    conversationIds: entry.conversationIds.filter((id) => id !== conversationId),
  };
}

/**
 * Deletes a conversation's judged attempts and takes what they put into the sounds back out, inside the caller's
 * transaction (core/db/conversations.ts deletes the conversation in the same one, so nothing is half-deleted).
 */
export async function deletePracticeOf<Other extends StoreNames<AITalkSchema>>(
  tx: IDBPTransaction<AITalkSchema, ('attempts' | 'sounds' | Other)[], 'readwrite'>,
  conversationId: string,
): Promise<void> {
  const attempts = tx.objectStore('attempts');
  const slips = new Map<HardSoundId, number>();
  for (const attempt of await attempts.index('by-conversation').getAll(conversationId)) {
    for (const sound of attempt.sounds ?? []) slips.set(sound, (slips.get(sound) ?? 0) + 1);
    await attempts.delete(attempt.id);
  }
  const sounds = tx.objectStore('sounds');
  for (const entry of await sounds.getAll()) {
    const next = soundWithoutConversation(entry, conversationId, slips.get(entry.id) ?? 0);
    if (next === entry) continue;
    if (next) await sounds.put(next);
    else await sounds.delete(entry.id);
  }
}

/** The judged attempts of one conversation, oldest first. */
export async function listJudgedAttempts(conversationId: string): Promise<JudgedAttempt[]> {
  const attempts = await (await db()).getAllFromIndex('attempts', 'by-conversation', conversationId);
  return attempts.sort((a, b) => a.at - b.at);
}

/** Judged attempts made from `since` on, oldest first (progress over time). */
export async function listJudgedAttemptsSince(since: number): Promise<JudgedAttempt[]> {
  return (await db()).getAllFromIndex('attempts', 'by-at', IDBKeyRange.lowerBound(since));
}
