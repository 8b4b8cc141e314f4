import { db } from '../../core/db/open';
import type { Reading, VocabularyEntry } from '../../core/db/schema';

/** What the learner did with pages, kept in IndexedDB: selections read aloud, and words looked up. */

export async function putReading(reading: Reading): Promise<void> {
  await (await db()).put('readings', reading);
}

/** Newest first. */
export async function listReadings(): Promise<Reading[]> {
  return (await (await db()).getAllFromIndex('readings', 'by-at')).reverse();
}

export async function putVocabulary(entry: VocabularyEntry): Promise<void> {
  await (await db()).put('vocabulary', entry);
}

/** Newest first. */
export async function listVocabulary(): Promise<VocabularyEntry[]> {
  return (await (await db()).getAllFromIndex('vocabulary', 'by-at')).reverse();
}
