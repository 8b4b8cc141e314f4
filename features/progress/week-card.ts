import { SCENARIOS, type Scenario } from '@/features/talk/teacher-prompt';
import { MISTAKE_KINDS, startOfWeek, type MistakeKind, type PeriodFigures, type Progress } from './progress-data';

/**
 * The week in a card: what improved on the week before, and what to practise next. At the first
 * panel of a new week it sums up the week just ended; asked for ("This week"), the week so far.
 */

export type Improvement =
  | { kind: 'minutes' | 'wordsPerMinute' | 'reviews' | 'pronunciation'; now: number; before: number }
  | { kind: 'mistakes'; mistake: MistakeKind; now: number; before: number };

export interface WeekSummary {
  /** Local midnight of the Monday the summed-up week starts. */
  weekStart: number;
  minutesSpoken: number;
  turns: number;
  improved: Improvement[];
  /** The kind of mistake made most that week, if any. */
  topMistake: { kind: MistakeKind; count: number } | null;
  /** Corrections due for review today. */
  due: number;
  /** The scenario to practise next: one the learner is not set on, so the week brings something new. */
  scenario: Exclude<Scenario, 'own'>;
}

export type WhichWeek = 'current' | 'previous';

/** The scenario after the learner's current one in the list ("own" has no fixed role, so it is skipped). */
export function nextScenario(current: Scenario): Exclude<Scenario, 'own'> {
  const fixed = SCENARIOS.filter((scenario): scenario is Exclude<Scenario, 'own'> => scenario !== 'own');
  const at = fixed.indexOf(current as Exclude<Scenario, 'own'>);
  return fixed[(at + 1) % fixed.length]!;
}

function improvements(week: PeriodFigures, before: PeriodFigures): Improvement[] {
  const found: Improvement[] = [];
  if (week.minutesSpoken > before.minutesSpoken && before.minutesSpoken > 0)
    found.push({ kind: 'minutes', now: week.minutesSpoken, before: before.minutesSpoken });
  if (week.wordsPerMinute !== null && before.wordsPerMinute !== null && week.wordsPerMinute > before.wordsPerMinute)
    found.push({ kind: 'wordsPerMinute', now: week.wordsPerMinute, before: before.wordsPerMinute });
  if (week.mistakesPer100 && before.mistakesPer100) {
    for (const mistake of MISTAKE_KINDS) {
      const now = week.mistakesPer100[mistake];
      const then = before.mistakesPer100[mistake];
      if (now < then) found.push({ kind: 'mistakes', mistake, now, before: then });
    }
  }
  if (week.reviewsDone > before.reviewsDone && before.reviewsDone > 0)
    found.push({ kind: 'reviews', now: week.reviewsDone, before: before.reviewsDone });
  if (
    week.pronunciationScore !== null &&
    before.pronunciationScore !== null &&
    week.pronunciationScore > before.pronunciationScore
  )
    found.push({ kind: 'pronunciation', now: week.pronunciationScore, before: before.pronunciationScore });
  return found;
}

/** Needs `progress.weeks` to hold at least three weeks (the previous week is compared with the one before it). */
export function weekSummary(progress: Progress, which: WhichWeek, scenario: Scenario): WeekSummary {
  const offset = which === 'current' ? 1 : 2;
  const week = progress.weeks[progress.weeks.length - offset]!;
  const before = progress.weeks[progress.weeks.length - offset - 1]!;
  let topMistake: WeekSummary['topMistake'] = null;
  for (const kind of MISTAKE_KINDS) {
    const count = week.mistakes[kind];
    if (count > 0 && (!topMistake || count > topMistake.count)) topMistake = { kind, count };
  }
  return {
    weekStart: week.start,
    minutesSpoken: week.minutesSpoken,
    turns: week.turns,
    improved: improvements(week, before),
    topMistake,
    due: progress.dueToday,
    scenario: nextScenario(scenario),
  };
}

/** A week's key for "shown already": the local date of its Monday. */
export function weekKey(at: number): string {
  const monday = new Date(startOfWeek(at));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${monday.getFullYear()}-${pad(monday.getMonth() + 1)}-${pad(monday.getDate())}`;
}
