import { grammarPointOf, type GrammarPoint } from '../corrections/correction-schema';
import type { StoredCheck } from '../../core/db/schema';

/**
 * Recurring mistakes: a grammar point the learner got wrong in at least two sessions (a session is
 * a conversation). One bad conversation is not a habit; the same point in two is worth a focus.
 */

export const RECURRING_MIN_SESSIONS = 2;

export interface RecurringMistake {
  point: GrammarPoint;
  /** Conversations it came up in. */
  sessions: number;
  /** Corrections about it in all. */
  count: number;
  /** When it last came up. */
  lastAt: number;
}

/**
 * Counted from the checks: corrections the learner dismissed ("I didn't say that") and possible
 * mishearings are the recogniser's mistakes, not theirs; 'other' (untagged or no fitting point)
 * says nothing a teacher could focus on.
 */
export function recurringMistakes(checks: readonly StoredCheck[]): RecurringMistake[] {
  const byPoint = new Map<GrammarPoint, { sessions: Set<string>; count: number; lastAt: number }>();
  for (const check of checks) {
    check.corrections.forEach((correction, index) => {
      if (check.dismissed.includes(index) || correction.kind === 'possibly_misheard') return;
      const point = grammarPointOf(correction);
      if (point === 'other') return;
      const seen = byPoint.get(point) ?? { sessions: new Set<string>(), count: 0, lastAt: 0 };
      seen.sessions.add(check.conversationId);
      seen.count += 1;
      seen.lastAt = Math.max(seen.lastAt, check.checkedAt);
      byPoint.set(point, seen);
    });
  }
  return [...byPoint]
    .filter(([, seen]) => seen.sessions.size >= RECURRING_MIN_SESSIONS)
    .map(([point, seen]) => ({ point, sessions: seen.sessions.size, count: seen.count, lastAt: seen.lastAt }))
    .sort((a, b) => b.sessions - a.sessions || b.count - a.count || b.lastAt - a.lastAt);
}
