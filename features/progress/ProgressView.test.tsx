import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DB_NAME } from '@/core/db/schema';
import { resetDbConnection } from '@/core/db/open';
import { deleteDatabase } from '@/core/testing/idb';
import { loadProgressSources, progressOf } from './progress-data';
import { ProgressView } from './ProgressView';
import { dayAt, progressSeed, SEED_NOW, writeSeed, type Seed } from './testing/progress-seed';

/**
 * The figures expected from the seed, worked out here from the stored records alone (not with the
 * code under test): a turn's speaking time is its first to last word when every turn of the day
 * has word timings, else its kept length, else its recording's.
 */
function expectedDay(seed: Seed, daysBack: number) {
  const start = dayAt(daysBack, 0);
  const end = dayAt(daysBack - 1, 0);
  const within = (at: number) => at >= start && at < end;
  const turns = seed.messages.filter((m) => m.role === 'user' && m.status === 'done' && m.text && within(m.createdAt));
  const allTimed = turns.length > 0 && turns.every((m) => m.words && m.words.length > 0);
  let seconds = 0;
  let words = 0;
  for (const m of turns) {
    words += m.text.split(' ').length;
    if (allTimed) seconds += m.words!.at(-1)!.end - m.words![0]!.start;
    else seconds += m.durationS ?? seed.recordings.find((r) => r.id === m.recordingId)!.durationMs / 1000;
  }
  const reading = seed.readings.filter((r) => within(r.at)).reduce((sum, r) => sum + r.durationMs / 1000, 0);
  const checks = seed.checks.filter((c) => within(c.checkedAt));
  const checkedWords = checks.reduce((sum, c) => sum + c.sentence.split(' ').length, 0);
  const per100 = (kind: string) => {
    const count = checks.reduce(
      (sum, c) => sum + c.corrections.filter((x, i) => x.kind === kind && !c.dismissed.includes(i)).length,
      0,
    );
    return checkedWords ? String(Math.round((count / checkedWords) * 1000) / 10) : '—';
  };
  const reviews = seed.notebook.reduce(
    (sum, n) => sum + (n.reviewedAt ?? (n.lastAttempt ? [n.lastAttempt.at] : [])).filter(within).length,
    0,
  );
  return {
    minutes: String(Math.round(((seconds + reading) / 60) * 10) / 10),
    turns: String(turns.length),
    wpm: seconds > 0 ? String(Math.round((words / seconds) * 60)) : '—',
    grammar: per100('grammar'),
    wordOrder: per100('word_order'),
    naturalness: per100('naturalness'),
    wordChoice: per100('word_choice'),
    reviews: String(reviews),
  };
}

const label = (at: number) => new Intl.DateTimeFormat('en', { month: 'numeric', day: 'numeric' }).format(at);

/** The cells of a table's row, by column header. */
function row(table: HTMLElement, header: string): Record<string, string> {
  const heads = within(table)
    .getAllByRole('columnheader')
    .map((th) => th.textContent ?? '');
  const rowHeader = within(table).getByRole('rowheader', { name: header });
  const cells = [...rowHeader.parentElement!.children].map((cell) => cell.textContent ?? '');
  return Object.fromEntries(heads.map((head, i) => [head, cells[i]!]));
}

async function shown(seed: Seed) {
  await writeSeed(seed);
  const progress = progressOf(await loadProgressSources(), SEED_NOW);
  render(<ProgressView progress={progress} onThisWeek={vi.fn()} />);
  return progress;
}

function openTable(title: string): HTMLElement {
  const section = screen.getByRole('region', { name: title });
  fireEvent.click(within(section).getByRole('button', { name: 'Show as table' }));
  return within(section).getByRole('table', { name: title });
}

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});
afterEach(cleanup);

describe('the Progress view', () => {
  it('shows in its tables the minutes, turns, words per minute, mistakes and reviews of the stored turns, checks and notebook', async () => {
    const seed = progressSeed();
    await shown(seed);
    const minutes = openTable('Minutes spoken and turns');
    const wpm = openTable('Words per minute');
    const mistakes = openTable('Mistakes per 100 words');
    const reviews = openTable('Notebook reviews');
    for (const daysBack of [0, 1, 2, 3]) {
      const expected = expectedDay(seed, daysBack);
      const day = label(dayAt(daysBack, 12));
      expect(row(minutes, day)).toEqual({ Day: day, 'Minutes spoken': expected.minutes, Turns: expected.turns });
      expect(row(wpm, day)['Words per minute']).toBe(expected.wpm);
      expect(row(mistakes, day)).toEqual({
        Day: day,
        Grammar: expected.grammar,
        'Word choice': expected.wordChoice,
        'Word order': expected.wordOrder,
        Naturalness: expected.naturalness,
      });
      expect(row(reviews, day)['Reviews done']).toBe(expected.reviews);
    }
    // Spot checks of the worked-out figures: 10 words in 5 s today, 8 words in 6 s yesterday.
    expect(row(wpm, label(dayAt(0, 12)))['Words per minute']).toBe('120');
    expect(row(wpm, label(dayAt(1, 12)))['Words per minute']).toBe('80');
    expect(row(minutes, label(dayAt(3, 12)))['Minutes spoken']).toBe('1');
  });

  it('counts reviews due today (overdue included) and on each coming day', async () => {
    const seed = progressSeed();
    await shown(seed);
    const reviews = openTable('Notebook reviews');
    const dueOn = (daysAhead: number) =>
      String(seed.notebook.filter((n) => n.due >= dayAt(-daysAhead, 0) && n.due < dayAt(-daysAhead - 1, 0)).length);
    const overdueOrToday = String(seed.notebook.filter((n) => n.due < dayAt(-1, 0)).length);
    expect(row(reviews, label(dayAt(0, 12)))['Reviews due']).toBe(overdueOrToday);
    for (const ahead of [1, 2, 3]) expect(row(reviews, label(dayAt(-ahead, 12)))['Reviews due']).toBe(dueOn(ahead));
    // Today and yesterday were practised, the day before not: a streak of two.
    expect(document.querySelector('.progress-streak')?.textContent).toBe(
      '2 days in a row · 2 corrections to review today',
    );
  });

  it('sums weeks from Monday: this week holds today and yesterday, last week the Sunday before', async () => {
    const seed = progressSeed();
    await shown(seed);
    fireEvent.click(screen.getByRole('radio', { name: 'By week' }));
    const table = openTable('Minutes spoken and turns');
    const thisWeek = [expectedDay(seed, 0), expectedDay(seed, 1)];
    // Monday 30 November 2026, and the Monday before.
    expect(row(table, label(dayAt(2, 12)))).toMatchObject({
      Turns: String(Number(thisWeek[0]!.turns) + Number(thisWeek[1]!.turns)),
    });
    expect(row(table, label(dayAt(9, 12)))).toMatchObject({ Turns: expectedDay(seed, 3).turns });
  });

  it('"Show as table" swaps the chart for a table with a caption and scoped headers, and back', async () => {
    await shown(progressSeed());
    const section = screen.getByRole('region', { name: 'Words per minute' });
    const toggle = within(section).getByRole('button', { name: 'Show as table' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    expect(within(section).queryByRole('table')).toBeNull();
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    const table = within(section).getByRole('table', { name: 'Words per minute' });
    expect(table.querySelector('caption')?.textContent).toBe('Words per minute');
    expect([...table.querySelectorAll('thead th')].every((th) => th.getAttribute('scope') === 'col')).toBe(true);
    expect(table.querySelectorAll('tbody th[scope=row]')).toHaveLength(14);
    fireEvent.click(toggle);
    expect(within(section).queryByRole('table')).toBeNull();
  });

  it('says how progress gets there when nothing was practised yet', async () => {
    await shown({ messages: [], recordings: [], checks: [], notebook: [], readings: [] });
    expect(screen.getByText(/Press Talk and speak with your teacher/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show as table' })).toBeNull();
  });
});
