import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DB_NAME } from '@/core/db/schema';
import { resetDbConnection } from '@/core/db/open';
import { deleteDatabase } from '@/core/testing/idb';
import { listNotebook, recordAttempt, saveCheck } from '@/features/corrections/notebook';
import type { AttemptComparison } from '@/features/corrections/word-diff';
import { loadProgressSources, progressOf, streakOf, type ProgressSources } from './progress-data';
import { dayAt, SEED_NOW } from './testing/progress-seed';

const empty: ProgressSources = { turns: [], checks: [], notebook: [], readings: [], pronunciation: [] };

const spokeOn = (...daysBack: number[]): ProgressSources => ({
  ...empty,
  turns: daysBack.map((back, i) => ({
    id: `t${i}`,
    conversationId: 'c',
    createdAt: dayAt(back, 10),
    text: 'I went home',
    durationS: 2,
  })),
});

describe('the streak', () => {
  it('counts the days in a row up to today, and stops at a day without practice', () => {
    expect(streakOf(spokeOn(0, 1, 3, 4, 5), SEED_NOW)).toBe(2);
  });

  it('is still alive while today is open: practice yesterday counts before anything today', () => {
    expect(streakOf(spokeOn(1, 2, 3), SEED_NOW)).toBe(3);
  });

  it('is broken by a whole day missed', () => {
    expect(streakOf(spokeOn(2, 3, 4), SEED_NOW)).toBe(0);
  });

  it('counts a day on which the learner only read a page aloud or said a correction again', () => {
    const sources: ProgressSources = {
      ...spokeOn(0),
      readings: [
        {
          id: 'r',
          pageTitle: '',
          url: '',
          text: '',
          said: '',
          right: 0,
          total: 0,
          wordsPerMinute: 0,
          durationMs: 1000,
          at: dayAt(1, 9),
        },
      ],
      pronunciation: [{ id: 'p', at: dayAt(2, 9), conversationId: 'c', kind: 'repeat', score: 70 }],
    };
    expect(streakOf(sources, SEED_NOW)).toBe(3);
  });

  it('counts calendar days across a daylight-saving change (a 23-hour day)', () => {
    const zone = process.env.TZ;
    // London's clocks went forward on 29 March 2026.
    process.env.TZ = 'Europe/London';
    onTestFinished(() => {
      process.env.TZ = zone;
    });
    expect(new Date(2026, 2, 30).getTime() - new Date(2026, 2, 29).getTime()).toBe(23 * 3600_000);
    const marchNow = new Date(2026, 2, 30, 12).getTime();
    const at = (day: number) => new Date(2026, 2, day, 0, 30).getTime();
    const sources: ProgressSources = {
      ...empty,
      turns: [27, 28, 29, 30].map((day) => ({
        id: `${day}`,
        conversationId: 'c',
        createdAt: at(day),
        text: 'Hi there',
      })),
    };
    expect(streakOf(sources, marchNow)).toBe(4);
  });
});

describe('the pronunciation score', () => {
  it('is the mean of the day’s judged attempts, and absent where there are none', () => {
    const progress = progressOf(
      {
        ...empty,
        pronunciation: [
          { id: 'a', at: dayAt(0, 9), conversationId: 'c', kind: 'repeat', score: 60 },
          { id: 'b', at: dayAt(0, 10), conversationId: 'c', kind: 'sound-drill', score: 81 },
        ],
      },
      SEED_NOW,
    );
    expect(progress.hasPronunciation).toBe(true);
    expect(progress.days.at(-1)!.pronunciationScore).toBe(71);
    expect(progress.days.at(-2)!.pronunciationScore).toBeNull();
    expect(progressOf(empty, SEED_NOW).hasPronunciation).toBe(false);
  });
});

describe('reviews done', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await resetDbConnection();
    await deleteDatabase(DB_NAME);
  });

  it('counts every "Say it again" on the day it happened, not only the latest', async () => {
    await saveCheck(
      {
        sentence: 'I go home yesterday',
        corrections: [{ original: 'go', corrected: 'went', explanation: 'Past.', kind: 'grammar' }],
        natural: 'I went home yesterday.',
        dropped: 0,
      },
      { messageId: 'm', conversationId: 'c' },
      dayAt(3, 9),
    );
    const [entry] = await listNotebook();
    const right: AttemptComparison = { right: 4, total: 4, allRight: true, words: [] };
    await recordAttempt(entry!.id, 'I went home yesterday', right, dayAt(2, 9));
    await recordAttempt(entry!.id, 'I went home yesterday', right, dayAt(0, 9));
    const progress = progressOf(await loadProgressSources(), SEED_NOW);
    expect(progress.days.slice(-4).map((day) => day.reviewsDone)).toEqual([0, 1, 0, 1]);
  });
});
