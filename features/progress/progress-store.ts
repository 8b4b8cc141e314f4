import { signal } from '@preact/signals';
import { storage } from 'wxt/utils/storage';
import type { Scenario } from '@/features/talk/teacher-prompt';
import {
  loadProgressSources,
  noPronunciation,
  progressOf,
  type Progress,
  type PronunciationSource,
} from './progress-data';
import { weekKey, weekSummary, type WeekSummary, type WhichWeek } from './week-card';

/** The Monday (local date) of the last week whose card was shown, so no week's card comes twice. */
export const weekCardShownItem = storage.defineItem<string>('local:progressWeekCardShown', { fallback: '' });

export type ProgressStore = ReturnType<typeof createProgress>;

export interface ProgressDeps {
  /** The learner's scenario now: the card suggests another one. */
  scenario(): Scenario;
  /** Judged pronunciation attempts; none until the pronunciation feature stores them. */
  pronunciation?: PronunciationSource;
  now?(): number;
}

export function createProgress({ scenario, pronunciation = noPronunciation, now = Date.now }: ProgressDeps) {
  const progress = signal<Progress | null>(null);
  /** The week's card while it is shown. */
  const weekCard = signal<WeekSummary | null>(null);

  async function read(): Promise<Progress> {
    const figures = progressOf(await loadProgressSources(pronunciation), now());
    progress.value = figures;
    return figures;
  }

  async function show(which: WhichWeek, figures: Progress): Promise<void> {
    const summary = weekSummary(figures, which, scenario());
    weekCard.value = summary;
    await weekCardShownItem.setValue(weekKey(now()));
  }

  return {
    progress,
    weekCard,
    /** Reads the figures again (the Progress view calls it when it opens). */
    refresh: async (): Promise<void> => {
      await read();
    },
    /** "This week": the week so far, compared with the last. */
    showThisWeek: async (): Promise<void> => show('current', await read()),
    /**
     * The first panel of a new week sums up the week just ended, if the learner spoke in it; a week
     * whose card was shown (or dismissed) is not summed up again.
     */
    offerWeekly: async (): Promise<boolean> => {
      if ((await weekCardShownItem.getValue()) === weekKey(now())) return false;
      const figures = await read();
      const lastWeek = figures.weeks[figures.weeks.length - 2];
      if (!lastWeek || (lastWeek.turns === 0 && lastWeek.reviewsDone === 0 && lastWeek.minutesSpoken === 0))
        return false;
      await show('previous', figures);
      return true;
    },
    dismissWeek(): void {
      weekCard.value = null;
    },
  };
}
