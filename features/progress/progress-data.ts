import type { Message, NotebookEntry, Reading, StoredCheck } from '@/core/db/schema';
import { db } from '@/core/db/open';
import { CORRECTION_KINDS, type CorrectionKind } from '@/features/corrections/correction-schema';
import { countWords, fluencyOf, type SpokenTurn } from '@/features/corrections/fluency';
import { endOfDay } from '@/features/corrections/notebook';

/**
 * The learner's progress over days and weeks, computed from what IndexedDB already keeps: the
 * learner's turns (with their word timings and lengths), the checks of their sentences, the
 * notebook's reviews, the pages they read aloud, and pronunciation scores where they exist.
 * Words per minute and speaking time come from the session card's own code
 * (features/corrections/fluency.ts), so the two never disagree.
 */

/** One judged pronunciation attempt, as the pronunciation feature keeps it. */
export interface PronunciationAttempt {
  id: string;
  at: number;
  conversationId: string | null;
  kind: string;
  /** 0–100 for the whole attempt. */
  score: number;
}

/** Where pronunciation attempts come from; until they are stored, none. */
export type PronunciationSource = () => Promise<PronunciationAttempt[]>;
export const noPronunciation: PronunciationSource = () => Promise.resolve([]);

/** The kinds counted as the learner's mistakes (a possible mishearing is the recogniser's). */
export const MISTAKE_KINDS = CORRECTION_KINDS.filter(
  (kind): kind is Exclude<CorrectionKind, 'possibly_misheard'> => kind !== 'possibly_misheard',
);
export type MistakeKind = (typeof MISTAKE_KINDS)[number];

/** Everything the figures are computed from. */
export interface ProgressSources {
  /** Learner turns that were transcribed, with their spoken length where known. */
  turns: Array<Pick<Message, 'id' | 'conversationId' | 'createdAt' | 'text' | 'words' | 'durationS'>>;
  checks: StoredCheck[];
  notebook: NotebookEntry[];
  readings: Reading[];
  pronunciation: PronunciationAttempt[];
}

/** The figures of one period (a day or a week). Null where there is nothing to measure. */
export interface PeriodFigures {
  /** Local midnight at the period's start. */
  start: number;
  minutesSpoken: number;
  turns: number;
  wordsPerMinute: number | null;
  /** Words in the checked sentences, the base of the mistake rates. */
  checkedWords: number;
  mistakes: Record<MistakeKind, number>;
  /** Mistakes per 100 checked words, by kind; null without a checked word. */
  mistakesPer100: Record<MistakeKind, number> | null;
  reviewsDone: number;
  /** Reviews falling due on this day (today: overdue ones included); 0 for past days and weeks. */
  reviewsDue: number;
  /** Mean pronunciation score (0–100) of the period's judged attempts. */
  pronunciationScore: number | null;
}

export interface Progress {
  /** The last `days` days, oldest first, today last; then the next `dueDays` days (reviews due only). */
  days: PeriodFigures[];
  upcoming: PeriodFigures[];
  /** The last `weeks` weeks (Monday to Sunday), oldest first, this week last. */
  weeks: PeriodFigures[];
  /** Days in a row with speaking practice, ending today (or yesterday, while today is still open). */
  streak: number;
  dueToday: number;
  /** Whether anything at all has been practised (the view's empty state otherwise). */
  any: boolean;
  hasPronunciation: boolean;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Local midnight of the day `at` falls in. */
export function startOfDay(at: number): number {
  const date = new Date(at);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** `n` calendar days after (or before) a local midnight; daylight-saving days are 23 or 25 hours. */
export function addDays(dayStart: number, n: number): number {
  const date = new Date(dayStart);
  date.setDate(date.getDate() + n);
  return date.getTime();
}

/** Local midnight of the Monday starting the week `at` falls in. */
export function startOfWeek(at: number): number {
  const day = startOfDay(at);
  const weekday = (new Date(day).getDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** When each review of an entry happened: its log where kept, else its last attempt. */
export function reviewTimes(entry: NotebookEntry): number[] {
  if (entry.reviewedAt && entry.reviewedAt.length > 0) return entry.reviewedAt;
  return entry.lastAttempt ? [entry.lastAttempt.at] : [];
}

const zeroMistakes = (): Record<MistakeKind, number> =>
  Object.fromEntries(MISTAKE_KINDS.map((kind) => [kind, 0])) as Record<MistakeKind, number>;

function figuresOf(sources: ProgressSources, start: number, end: number): PeriodFigures {
  const within = (at: number) => at >= start && at < end;
  const turns = sources.turns.filter((turn) => within(turn.createdAt));
  const spoken: SpokenTurn[] = turns.map((turn) => ({ text: turn.text, words: turn.words, durationS: turn.durationS }));
  const fluency = fluencyOf(spoken);
  const readingSeconds = sources.readings
    .filter((reading) => within(reading.at))
    .reduce((sum, reading) => sum + reading.durationMs / 1000, 0);

  const mistakes = zeroMistakes();
  let checkedWords = 0;
  for (const check of sources.checks) {
    if (!within(check.checkedAt)) continue;
    checkedWords += countWords(check.sentence);
    check.corrections.forEach((correction, index) => {
      if (correction.kind === 'possibly_misheard' || check.dismissed.includes(index)) return;
      mistakes[correction.kind] += 1;
    });
  }
  const mistakesPer100 =
    checkedWords > 0
      ? (Object.fromEntries(
          MISTAKE_KINDS.map((kind) => [kind, round1((mistakes[kind] / checkedWords) * 100)]),
        ) as Record<MistakeKind, number>)
      : null;

  const scores = sources.pronunciation.filter((attempt) => within(attempt.at)).map((attempt) => attempt.score);
  return {
    start,
    minutesSpoken: round1(((fluency?.speakingSeconds ?? 0) + readingSeconds) / 60),
    turns: turns.length,
    wordsPerMinute: fluency?.wordsPerMinute ?? null,
    checkedWords,
    mistakes,
    mistakesPer100,
    reviewsDone: sources.notebook.reduce((sum, entry) => sum + reviewTimes(entry).filter(within).length, 0),
    reviewsDue: 0,
    pronunciationScore: scores.length > 0 ? Math.round(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
  };
}

/** The days the learner spoke: a turn, a page read aloud, or a correction said again. */
function practiceDays(sources: ProgressSources): Set<number> {
  const days = new Set<number>();
  for (const turn of sources.turns) days.add(startOfDay(turn.createdAt));
  for (const reading of sources.readings) days.add(startOfDay(reading.at));
  for (const entry of sources.notebook) for (const at of reviewTimes(entry)) days.add(startOfDay(at));
  for (const attempt of sources.pronunciation) days.add(startOfDay(attempt.at));
  return days;
}

export function streakOf(sources: ProgressSources, now: number): number {
  const days = practiceDays(sources);
  let day = startOfDay(now);
  // Today still counts as kept until it ends: the streak runs on from yesterday.
  if (!days.has(day)) day = addDays(day, -1);
  let streak = 0;
  while (days.has(day)) {
    streak += 1;
    day = addDays(day, -1);
  }
  return streak;
}

export interface ProgressRange {
  days?: number;
  weeks?: number;
  dueDays?: number;
}

export function progressOf(
  sources: ProgressSources,
  now: number,
  { days = 14, weeks = 8, dueDays = 7 }: ProgressRange = {},
): Progress {
  const today = startOfDay(now);
  const dayList: PeriodFigures[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const start = addDays(today, -i);
    dayList.push(figuresOf(sources, start, addDays(start, 1)));
  }
  const dueToday = sources.notebook.filter((entry) => entry.due <= endOfDay(now)).length;
  dayList[dayList.length - 1]!.reviewsDue = dueToday;
  const upcoming: PeriodFigures[] = [];
  for (let i = 1; i <= dueDays; i++) {
    const start = addDays(today, i);
    const end = addDays(start, 1);
    const figures = figuresOf({ ...sources, turns: [], checks: [], readings: [], pronunciation: [] }, start, end);
    figures.reviewsDue = sources.notebook.filter((entry) => entry.due >= start && entry.due < end).length;
    upcoming.push(figures);
  }
  const thisWeek = startOfWeek(now);
  const weekList: PeriodFigures[] = [];
  for (let i = weeks - 1; i >= 0; i--) {
    const start = addDays(thisWeek, -7 * i);
    weekList.push(figuresOf(sources, start, addDays(start, 7)));
  }
  return {
    days: dayList,
    upcoming,
    weeks: weekList,
    streak: streakOf(sources, now),
    dueToday,
    any: practiceDays(sources).size > 0 || sources.checks.length > 0,
    hasPronunciation: sources.pronunciation.length > 0,
  };
}

/** Reads what the figures need; older turns without a kept length use their recording's. */
export async function loadProgressSources(
  pronunciation: PronunciationSource = noPronunciation,
): Promise<ProgressSources> {
  const database = await db();
  const [messages, checks, notebook, readings, attempts] = await Promise.all([
    database.getAll('messages'),
    database.getAll('checks'),
    database.getAll('notebook'),
    database.getAll('readings'),
    pronunciation(),
  ]);
  const turns: ProgressSources['turns'] = [];
  for (const message of messages) {
    if (message.role !== 'user' || message.status !== 'done' || !message.text) continue;
    let durationS = message.durationS;
    if (durationS === undefined && message.recordingId) {
      const recording = await database.get('recordings', message.recordingId);
      if (recording) durationS = recording.durationMs / 1000;
    }
    turns.push({
      id: message.id,
      conversationId: message.conversationId,
      createdAt: message.createdAt,
      text: message.text,
      words: message.words,
      durationS,
    });
  }
  return { turns, checks, notebook, readings, pronunciation: attempts };
}
