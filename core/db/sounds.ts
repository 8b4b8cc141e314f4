import type { HardSoundId } from '../pronunciation';
import { db } from './open';
import type { JudgedAttempt, SoundEntry } from './schema';

/**
 * The sounds to work on and the scores of judged attempts. What goes into them (examples, counts, the review
 * schedule) is decided by features/pronunciation/sounds-store.ts; these functions only keep it.
 */

/**
 * Reads a sound, lets `change` decide its new record (undefined: leave it), and writes that, in one transaction:
 * two panels judging at once each add their attempt rather than one overwriting the other's. `change` must not
 * await (a transaction closes when its code waits on anything but IndexedDB).
 */
export async function updateSound(
  id: HardSoundId,
  change: (old: SoundEntry | undefined) => SoundEntry | undefined,
): Promise<SoundEntry | undefined> {
  const tx = (await db()).transaction('sounds', 'readwrite');
  const next = change(await tx.store.get(id));
  if (next) await tx.store.put(next);
  await tx.done;
  return next;
}

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

export async function addJudgedAttempt(attempt: JudgedAttempt): Promise<void> {
  await (await db()).put('attempts', attempt);
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
