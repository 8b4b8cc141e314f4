import type { Correction } from './correction-schema';
import type { StoredCheck } from '../../core/db/schema';
import { fluencyOf, pronunciationOf, type FluencyFigures, type PronunciationFigures, type SpokenTurn } from './fluency';
import { correctedSentenceOf } from './notebook';

/** What the session card shows when a conversation ends: its corrections, phrases, fluency. */
export interface SessionSummary {
  corrections: Array<{ messageId: string; sentence: string; correctedSentence: string; corrections: Correction[] }>;
  /** Natural versions of the sentences that needed fixing: worth saying again. */
  phrases: string[];
  fluency: FluencyFigures | null;
  /** The mean score of the session's judged attempts; null or absent when none was judged. */
  pronunciation?: PronunciationFigures | null;
}

export const MAX_PHRASES = 5;

export function sessionSummary(
  checks: readonly StoredCheck[],
  turns: readonly SpokenTurn[],
  judged: readonly { score: number }[] = [],
): SessionSummary {
  const corrections = checks
    .map((check) => ({
      messageId: check.messageId,
      sentence: check.sentence,
      correctedSentence: correctedSentenceOf(check),
      corrections: check.corrections.filter(
        (c, index) => !check.dismissed.includes(index) && c.kind !== 'possibly_misheard',
      ),
    }))
    .filter((item) => item.corrections.length > 0);
  const phrases = [
    ...new Set(
      checks
        .filter((check) => corrections.some((c) => c.messageId === check.messageId))
        .map((check) => check.natural.trim())
        .filter(Boolean),
    ),
  ];
  return {
    corrections,
    phrases: phrases.slice(0, MAX_PHRASES),
    fluency: fluencyOf(turns),
    pronunciation: pronunciationOf(judged),
  };
}
