/**
 * Fluency figures for the session card: speaking speed and pauses, the measures that best predict
 * how fluent a learner sounds. Word timestamps (whisper-1, verbose_json, word granularity) give
 * real pauses; without them only the recording's length is known, and the figures say so.
 */

export interface TimedWord {
  word: string;
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
}

/** One learner turn as transcribed: what `transcribe()` returns, plus the recording's length. */
export interface SpokenTurn {
  text: string;
  words?: readonly TimedWord[];
  /** The audio's length in seconds (the transcription's `duration`, else the recording's). */
  durationS?: number;
}

export type FluencySource = 'word-timestamps' | 'recording-length';

export interface FluencyFigures {
  source: FluencySource;
  turns: number;
  words: number;
  /** Time spent speaking: first word to last word with timestamps, the whole recordings without. */
  speakingSeconds: number;
  wordsPerMinute: number;
  /** Silences over 1 s between words; null when there are no word timestamps to find them. */
  pausesOverOneSecond: number | null;
  longestPauseSeconds: number | null;
}

export const PAUSE_SECONDS = 1;

/** Some "compatible" servers return word lists with words missing; such timings would invent pauses. */
const COMPLETE_ENOUGH = 0.8;

export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

function hasTimestamps(turn: SpokenTurn): turn is SpokenTurn & { words: readonly TimedWord[] } {
  const words = turn.words ?? [];
  return words.length > 0 && words.length >= countWords(turn.text) * COMPLETE_ENOUGH;
}

function durationOf(turn: SpokenTurn): number | undefined {
  if (turn.durationS !== undefined && turn.durationS > 0) return turn.durationS;
  const last = turn.words?.at(-1);
  return last ? last.end : undefined;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The session's figures, or null when no turn has both words and a length. */
export function fluencyOf(turns: readonly SpokenTurn[]): FluencyFigures | null {
  const spoken = turns.filter((turn) => countWords(turn.text) > 0);
  if (spoken.length > 0 && spoken.every(hasTimestamps)) {
    let speaking = 0;
    let pauses = 0;
    let longest = 0;
    let words = 0;
    for (const turn of spoken) {
      const timed = [...turn.words].sort((a, b) => a.start - b.start);
      speaking += Math.max(0, timed.at(-1)!.end - timed[0]!.start);
      words += countWords(turn.text);
      for (let i = 1; i < timed.length; i++) {
        const gap = timed[i]!.start - timed[i - 1]!.end;
        if (gap > PAUSE_SECONDS) pauses += 1;
        longest = Math.max(longest, gap);
      }
    }
    if (speaking <= 0) return null;
    return {
      source: 'word-timestamps',
      turns: spoken.length,
      words,
      speakingSeconds: round1(speaking),
      wordsPerMinute: Math.round((words / speaking) * 60),
      pausesOverOneSecond: pauses,
      longestPauseSeconds: round1(longest),
    };
  }
  const timed = spoken.filter((turn) => durationOf(turn) !== undefined);
  const speaking = timed.reduce((sum, turn) => sum + (durationOf(turn) ?? 0), 0);
  if (timed.length === 0 || speaking <= 0) return null;
  const words = timed.reduce((sum, turn) => sum + countWords(turn.text), 0);
  return {
    source: 'recording-length',
    turns: timed.length,
    words,
    speakingSeconds: round1(speaking),
    wordsPerMinute: Math.round((words / speaking) * 60),
    pausesOverOneSecond: null,
    longestPauseSeconds: null,
  };
}

/** The session's pronunciation: the mean score of the attempts judged in it. */
export interface PronunciationFigures {
  /** 0–100, rounded. */
  score: number;
  attempts: number;
}

/** null when no attempt of the session was judged (nothing to show, rather than a score of 0). */
export function pronunciationOf(attempts: readonly { score: number }[]): PronunciationFigures | null {
  if (attempts.length === 0) return null;
  const sum = attempts.reduce((total, attempt) => total + attempt.score, 0);
  return { score: Math.round(sum / attempts.length), attempts: attempts.length };
}
