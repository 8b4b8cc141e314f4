import { storage } from 'wxt/utils/storage';
import { db } from '../../core/db/open';
import {
  newId,
  PROFILE_FACT_KINDS,
  type ProfileFact,
  type ProfileFactKind,
  type StoredCheck,
} from '../../core/db/schema';

/**
 * The learner profile's stored half: facts the learner kept (IndexedDB `profile` store), and when
 * they last asked the teacher to forget everything. Recurring mistakes are not stored: they are
 * counted from the checks each time (features/memory/recurring.ts), so the notebook stays the one
 * record of them.
 */

export const MAX_FACT_LENGTH = 200;

export interface NewFact {
  kind: ProfileFactKind;
  text: string;
}

export function isFactKind(value: unknown): value is ProfileFactKind {
  return typeof value === 'string' && (PROFILE_FACT_KINDS as readonly string[]).includes(value);
}

/** One line, trimmed, at most MAX_FACT_LENGTH characters: what the summary and the view can hold. */
export function cleanFactText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_FACT_LENGTH);
}

/** Oldest first, the order they were learned in. */
export async function listFacts(): Promise<ProfileFact[]> {
  return (await db()).getAllFromIndex('profile', 'by-created');
}

/** Keeps facts the learner saw and kept; empty texts are not kept. */
export async function addFacts(
  facts: readonly NewFact[],
  conversationId: string,
  now = Date.now(),
): Promise<ProfileFact[]> {
  const kept = facts
    .map((fact, index) => ({
      id: newId(),
      kind: fact.kind,
      text: cleanFactText(fact.text),
      // Several kept at once stay in the order they were shown.
      createdAt: now + index,
      conversationId,
    }))
    .filter((fact) => fact.text);
  const tx = (await db()).transaction('profile', 'readwrite');
  for (const fact of kept) await tx.store.put(fact);
  await tx.done;
  return kept;
}

export async function updateFact(id: string, change: Partial<NewFact>): Promise<ProfileFact | undefined> {
  const tx = (await db()).transaction('profile', 'readwrite');
  const fact = await tx.store.get(id);
  if (!fact) {
    await tx.done;
    return undefined;
  }
  const text = change.text === undefined ? fact.text : cleanFactText(change.text);
  const updated: ProfileFact = { ...fact, kind: change.kind ?? fact.kind, text: text || fact.text };
  await tx.store.put(updated);
  await tx.done;
  return updated;
}

export async function deleteFact(id: string): Promise<void> {
  await (await db()).delete('profile', id);
}

/**
 * "Forget everything": the facts are deleted, and mistakes and sounds from before now no longer
 * count. The notebook and its corrections stay: they are the learner's review, not the teacher's memory.
 */
export const forgottenAtItem = storage.defineItem<number>('local:memoryForgottenAt', { fallback: 0 });

export async function forgetEverything(now = Date.now()): Promise<void> {
  await (await db()).clear('profile');
  await forgottenAtItem.setValue(now);
}

/** Every stored check since `since` (the teacher's memory starts again after "Forget everything"). */
export async function listChecksSince(since: number): Promise<StoredCheck[]> {
  const all = await (await db()).getAll('checks');
  return all.filter((check) => check.checkedAt >= since);
}
