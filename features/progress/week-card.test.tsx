import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DB_NAME } from '@/core/db/schema';
import { resetDbConnection } from '@/core/db/open';
import { deleteDatabase } from '@/core/testing/idb';
import { loadProgressSources, progressOf } from './progress-data';
import { createProgress } from './progress-store';
import { nextScenario, weekSummary } from './week-card';
import { WeekCard } from './WeekCard';
import { dayAt, progressSeed, SEED_NOW, writeSeed } from './testing/progress-seed';

const WEEK = 7 * 24 * 3600_000;

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});
afterEach(cleanup);

describe('the week in a card', () => {
  it('compares this week with the last: fewer grammar and word-order mistakes per 100 words, and nothing claimed that fell', async () => {
    await writeSeed(progressSeed());
    const summary = weekSummary(progressOf(await loadProgressSources(), SEED_NOW), 'current', 'free');
    // This week: 1 grammar mistake in 10 checked words; last week 1 in 7 and 1 word-order mistake in 7.
    expect(summary.improved).toEqual([
      { kind: 'mistakes', mistake: 'grammar', now: 10, before: 14.3 },
      { kind: 'mistakes', mistake: 'word_order', now: 0, before: 14.3 },
    ]);
    expect(summary.weekStart).toBe(dayAt(2, 0));
    expect(summary.turns).toBe(4);
    expect(summary.topMistake).toEqual({ kind: 'grammar', count: 1 });
    expect(summary.due).toBe(2);
    expect(summary.scenario).toBe('smallTalk');
  });

  it('suggests a scenario other than the learner’s own, wrapping round the list and skipping "own topic"', () => {
    expect(nextScenario('systemDesign')).toBe('free');
    expect(nextScenario('own')).toBe('free');
    expect(nextScenario('jobInterview')).toBe('ielts1');
  });

  it('comes once a week: at the first panel of a new week, about the week just ended, and not again that week', async () => {
    await writeSeed(progressSeed());
    let now = SEED_NOW;
    const panel = () => createProgress({ scenario: () => 'free', now: () => now });
    const first = panel();
    expect(await first.offerWeekly()).toBe(true);
    // The week just ended: Monday 23 November.
    expect(first.weekCard.value?.weekStart).toBe(dayAt(9, 0));
    first.dismissWeek();
    expect(first.weekCard.value).toBeNull();

    now = SEED_NOW + 3 * 3600_000;
    const second = panel();
    expect(await second.offerWeekly()).toBe(false);
    expect(second.weekCard.value).toBeNull();

    // The next week: the week of 30 November had practice, so it is summed up.
    now = SEED_NOW + WEEK;
    const nextWeek = panel();
    expect(await nextWeek.offerWeekly()).toBe(true);
    expect(nextWeek.weekCard.value?.weekStart).toBe(dayAt(2, 0));
  });

  it('does not come after a week without practice, but "This week" shows it on demand', async () => {
    const progress = createProgress({ scenario: () => 'travel', now: () => SEED_NOW });
    expect(await progress.offerWeekly()).toBe(false);
    await progress.showThisWeek();
    expect(progress.weekCard.value?.scenario).toBe('doctor');
  });

  it('offers buttons that name the practice they start', () => {
    const onReview = vi.fn();
    const onPractise = vi.fn();
    const onDismiss = vi.fn();
    render(
      <WeekCard
        summary={{
          weekStart: dayAt(2, 0),
          minutesSpoken: 12.5,
          turns: 30,
          improved: [{ kind: 'wordsPerMinute', now: 110, before: 96 }],
          topMistake: { kind: 'grammar', count: 4 },
          due: 3,
          scenario: 'jobInterview',
        }}
        onReview={onReview}
        onPractise={onPractise}
        onDismiss={onDismiss}
      />,
    );
    expect(screen.getByText('You spoke faster: 110 words per minute, up from 96.')).toBeTruthy();
    expect(screen.getByText('Most of your mistakes were Grammar (4): say those corrections again.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Review 3 due corrections' }));
    expect(onReview).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Practise Job interview' }));
    expect(onPractise).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the week’s card' }));
    expect(onDismiss).toHaveBeenCalledOnce();
  });
});
