import { createEmptyCard, fsrs, Rating, type Card, type Grade } from 'ts-fsrs';
import { applyCorrections, type CorrectionKind, type SentenceCheck } from './correction-schema';
import { newId, type NotebookEntry, type StoredCheck } from '../../core/db/schema';
import { db } from '../../core/db/open';
import type { AttemptComparison } from './word-diff';

/**
 * The corrections of each learner sentence, and the notebook: every correction kept with its
 * sentence, conversation and date, and scheduled for review with FSRS (ts-fsrs).
 */

const scheduler = fsrs();

/** Possible mishearings are the recogniser's mistakes, not the learner's: nothing to review. */
const kept = (kind: CorrectionKind) => kind !== 'possibly_misheard';

/** The sentence with the fixes the learner did not dismiss. */
export function correctedSentenceOf(check: Pick<StoredCheck, 'sentence' | 'corrections' | 'dismissed'>): string {
  return applyCorrections(
    check.sentence,
    check.corrections.filter((_c, index) => !check.dismissed.includes(index)),
  );
}

function entriesFor(check: StoredCheck, now: number): NotebookEntry[] {
  const correctedSentence = correctedSentenceOf(check);
  return check.corrections.flatMap((correction, correctionIndex) => {
    if (!kept(correction.kind) || check.dismissed.includes(correctionIndex)) return [];
    const card = createEmptyCard(new Date(now));
    return [
      {
        id: newId(),
        conversationId: check.conversationId,
        messageId: check.messageId,
        correctionIndex,
        sentence: check.sentence,
        correctedSentence,
        natural: check.natural,
        correction,
        createdAt: now,
        card,
        due: card.due.getTime(),
      },
    ];
  });
}

/**
 * Keeps a finished check and puts its corrections in the notebook. Saving a message's check again
 * (Retry) replaces its earlier entries rather than adding duplicates.
 */
export async function saveCheck(
  check: SentenceCheck,
  ids: { messageId: string; conversationId: string },
  now = Date.now(),
): Promise<StoredCheck> {
  const stored: StoredCheck = {
    ...ids,
    sentence: check.sentence,
    corrections: check.corrections,
    natural: check.natural,
    dismissed: [],
    misheard: false,
    checkedAt: now,
  };
  const tx = (await db()).transaction(['checks', 'notebook'], 'readwrite');
  await tx.objectStore('checks').put(stored);
  const notebook = tx.objectStore('notebook');
  for (const key of await notebook.index('by-message').getAllKeys(ids.messageId)) await notebook.delete(key);
  for (const entry of entriesFor(stored, now)) await notebook.put(entry);
  await tx.done;
  return stored;
}

export async function getCheck(messageId: string): Promise<StoredCheck | undefined> {
  return (await db()).get('checks', messageId);
}

/** The stored checks of these sentences (a sentence never checked has none). */
export async function getChecks(messageIds: readonly string[]): Promise<StoredCheck[]> {
  if (messageIds.length === 0) return [];
  const store = (await db()).transaction('checks').store;
  const found = await Promise.all(messageIds.map((id) => store.get(id)));
  return found.filter((check) => check !== undefined);
}

export async function listChecks(conversationId: string): Promise<StoredCheck[]> {
  return (await db()).getAllFromIndex('checks', 'by-conversation', conversationId);
}

/**
 * "I didn't say that": the correction is dismissed, the transcript marked as misheard, and the
 * correction leaves the notebook; the other entries of the sentence get the new corrected sentence.
 */
export async function markMisheard(messageId: string, correctionIndex: number): Promise<StoredCheck | undefined> {
  const tx = (await db()).transaction(['checks', 'notebook'], 'readwrite');
  const check = await tx.objectStore('checks').get(messageId);
  if (!check) {
    await tx.done;
    return undefined;
  }
  const updated: StoredCheck = {
    ...check,
    dismissed: [...new Set([...check.dismissed, correctionIndex])].sort((a, b) => a - b),
    misheard: true,
  };
  await tx.objectStore('checks').put(updated);
  const notebook = tx.objectStore('notebook');
  const correctedSentence = correctedSentenceOf(updated);
  for (const entry of await notebook.index('by-message').getAll(messageId)) {
    if (entry.correctionIndex === correctionIndex) await notebook.delete(entry.id);
    else await notebook.put({ ...entry, correctedSentence });
  }
  await tx.done;
  return updated;
}

export interface NotebookQuery {
  kind?: CorrectionKind;
  /** Matched, case-insensitively, against the sentence, the correction and its explanation. */
  search?: string;
}

export function matchesQuery(entry: NotebookEntry, { kind, search }: NotebookQuery): boolean {
  if (kind && entry.correction.kind !== kind) return false;
  const needle = search?.trim().toLowerCase();
  if (!needle) return true;
  const { original, corrected, explanation } = entry.correction;
  return [entry.sentence, entry.correctedSentence, entry.natural, original, corrected, explanation].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

/** Newest sentence first; a sentence's corrections in the order they occur in it. */
export async function listNotebook(query: NotebookQuery = {}): Promise<NotebookEntry[]> {
  const all = await (await db()).getAll('notebook');
  return all
    .sort(
      (a, b) =>
        b.createdAt - a.createdAt || a.messageId.localeCompare(b.messageId) || a.correctionIndex - b.correctionIndex,
    )
    .filter((entry) => matchesQuery(entry, query));
}

/** The end of the learner's day: everything due before it is due "today", overdue included. */
export function endOfDay(now: number): number {
  const date = new Date(now);
  date.setHours(23, 59, 59, 999);
  return date.getTime();
}

export function isDueToday(entry: Pick<NotebookEntry, 'due'>, now = Date.now()): boolean {
  return entry.due <= endOfDay(now);
}

/** Entries to review today, the longest overdue first. */
export async function listDue(now = Date.now()): Promise<NotebookEntry[]> {
  return (await db()).getAllFromIndex('notebook', 'by-due', IDBKeyRange.upperBound(endOfDay(now)));
}

export async function dueCount(now = Date.now()): Promise<number> {
  return (await db()).countFromIndex('notebook', 'by-due', IDBKeyRange.upperBound(endOfDay(now)));
}

/** Every word right is a good recall; half or more is hard; less is a lapse. */
export function gradeOf(comparison: Pick<AttemptComparison, 'right' | 'total' | 'allRight'>): Grade {
  if (comparison.allRight) return Rating.Good;
  if (comparison.total > 0 && comparison.right / comparison.total >= 0.5) return Rating.Hard;
  return Rating.Again;
}

/** A new review card, due at once, and the card after a review graded `grade`: one schedule for everything reviewed. */
export function newReview(now: number): { card: Card; due: number } {
  const card = createEmptyCard(new Date(now));
  return { card, due: card.due.getTime() };
}

export function nextReview(card: Card, grade: Grade, now: number): { card: Card; due: number } {
  const next = scheduler.next(card, new Date(now), grade).card;
  return { card: next, due: next.due.getTime() };
}

/** A "Say it again" attempt: remembered on the entry, and the entry's next review scheduled from it. */
export async function recordAttempt(
  entryId: string,
  said: string,
  comparison: AttemptComparison,
  now = Date.now(),
): Promise<NotebookEntry | undefined> {
  const tx = (await db()).transaction('notebook', 'readwrite');
  const entry = await tx.store.get(entryId);
  if (!entry) {
    await tx.done;
    return undefined;
  }
  const updated: NotebookEntry = {
    ...entry,
    ...nextReview(entry.card, gradeOf(comparison), now),
    lastAttempt: { at: now, said, right: comparison.right, total: comparison.total, allRight: comparison.allRight },
    // The Progress view counts reviews per day; the card keeps only the latest one's date.
    reviewedAt: [...(entry.reviewedAt ?? (entry.lastAttempt ? [entry.lastAttempt.at] : [])), now],
  };
  await tx.store.put(updated);
  await tx.done;
  return updated;
}

/** Every entry of a message (a "Say it again" from the card reviews all of that sentence's corrections). */
export async function entriesOfMessage(messageId: string): Promise<NotebookEntry[]> {
  return (await db()).getAllFromIndex('notebook', 'by-message', messageId);
}

export async function deleteEntry(id: string): Promise<void> {
  await (await db()).delete('notebook', id);
}
