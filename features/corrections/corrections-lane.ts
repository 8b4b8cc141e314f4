import type { CorrectionsInput } from './correction-schema';
import { requestCorrections, type ChatEndpoint, type CorrectionsOptions } from './corrections';
import type { NotebookEntry, StoredCheck } from '../../core/db/schema';
import { recordAttempt, saveCheck } from './notebook';
import { compareAttempt, type AttemptComparison } from './word-diff';
import { t } from '../../core/i18n';

/**
 * The two things the turn does with corrections: check a learner sentence (beside the spoken
 * reply, never before it) and judge a "Say it again". Both end in a value, never an exception.
 */

export type SentenceCheckResult =
  | { status: 'done'; check: StoredCheck }
  | { status: 'failed'; message: string; canRetry: boolean }
  /** The turn was abandoned (new conversation, panel closed): show nothing. */
  | { status: 'cancelled' };

/** Asks for the corrections of a sentence, keeps them (check + notebook), and says how it went. */
export async function checkLearnerSentence(
  endpoint: ChatEndpoint,
  input: CorrectionsInput,
  ids: { messageId: string; conversationId: string },
  options: CorrectionsOptions = {},
): Promise<SentenceCheckResult> {
  const outcome = await requestCorrections(endpoint, input, options);
  if (!outcome.ok) {
    if (outcome.failure.kind === 'aborted') return { status: 'cancelled' };
    return { status: 'failed', message: outcome.failure.message, canRetry: outcome.failure.canRetry };
  }
  try {
    return { status: 'done', check: await saveCheck(outcome.check, ids) };
  } catch (error) {
    return {
      status: 'failed',
      message: t('correction.couldNotKeep', { detail: (error as Error).message }),
      canRetry: true,
    };
  }
}

export interface RepetitionResult {
  comparison: AttemptComparison;
  /** The reviewed notebook entries, with their next review. */
  entries: NotebookEntry[];
}

/**
 * Judges a repetition of `target` locally, word by word, and updates the review of every notebook
 * entry it practised (one from the notebook; all of a sentence's from its card).
 */
export async function judgeRepetition(
  target: string,
  said: string,
  entryIds: readonly string[],
  now = Date.now(),
): Promise<RepetitionResult> {
  const comparison = compareAttempt(target, said);
  const entries: NotebookEntry[] = [];
  for (const id of entryIds) {
    const updated = await recordAttempt(id, said, comparison, now);
    if (updated) entries.push(updated);
  }
  return { comparison, entries };
}
