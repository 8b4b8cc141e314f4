import { describe, expect, it, vi } from 'vitest';
import { readDatabase, readStore } from './harness';
import { SENTENCES, teacherChats, usePanel, waitForPhase, waitUntil, withBody, type ChatBody } from './fixtures';
import { seedProgress } from './progress-seed';

/**
 * The Progress view and the week's card in the built extension: a fortnight of practice seeded into
 * IndexedDB, the card at the first panel of the week, and its buttons starting what they name — the
 * first due "Say it again" in the notebook, and a conversation in the suggested scenario.
 */

const CORRECTED = 'Yesterday I went to the park with my friend.';

describe('Progress and the week in a card', () => {
  const t = usePanel({ sentences: { corrected: CORRECTED }, viewport: { width: 420, height: 900 }, connect: 'heard' });

  it('the first panel of a new week shows the card once; "Review 3 due corrections" starts the first due "Say it again" in the notebook', async () => {
    expect(await t.page.locator('.week-card').count()).toBe(0);
    await seedProgress(t.page, {
      firstDue: { sentence: SENTENCES.park, corrected: CORRECTED, original: 'go', replacement: 'went' },
      dueToday: 3,
    });
    await t.page.reload();
    const card = t.page.locator('.week-card');
    await card.getByRole('heading', { name: 'Your week' }).waitFor({ timeout: 20_000 });
    await t.stage.say('corrected');
    await card.getByRole('button', { name: 'Review 3 due corrections' }).click();
    await t.page.getByRole('heading', { name: 'Notebook' }).waitFor();
    expect(await t.page.getByRole('button', { name: 'Notebook', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await waitForPhase(t.page, 'recording');
    // The entry due first is the one being said again.
    const target = t.page.locator('.say-again-target', { hasText: CORRECTED });
    await target.waitFor();
    // Found by position: the target line goes once the recording stops.
    const index = await t.page
      .locator('.notebook-entry')
      .evaluateAll((entries) => entries.findIndex((e) => e.querySelector('.say-again-target')));
    const entry = t.page.locator('.notebook-entry').nth(index);
    await t.page.waitForTimeout(3_800);
    await entry.getByRole('button', { name: 'Stop' }).click();
    // Judged twice: the words heard against the sentence, and how they were said.
    await entry.getByRole('status').filter({ hasText: 'Every word right' }).waitFor({ timeout: 20_000 });
    await entry
      .getByRole('status')
      .filter({ hasText: /Pronunciation: \d+ \/ 100/ })
      .waitFor();
    await waitForPhase(t.page, 'idle');
    // The review is kept on the entry that was due first, with its date.
    const kept = await readStore<{ id: string; reviewedAt?: number[] }>(t.page, 'notebook');
    expect(kept.find((e) => e.id === 'seed-n0')?.reviewedAt).toHaveLength(2);
    expect(await t.page.locator('.week-card').count()).toBe(0);

    // Not twice in the same week.
    await t.page.reload();
    await waitForPhase(t.page, 'idle', 30_000);
    await t.page.getByRole('button', { name: 'Progress', exact: true }).click();
    await t.page.locator('.progress-plot canvas').first().waitFor();
    expect(await t.page.locator('.week-card').count()).toBe(0);
  });

  it('draws the charts to the panel’s width in its colour scheme, re-drawn when the scheme changes', async () => {
    const progress = t.page.getByRole('button', { name: 'Progress', exact: true });
    if ((await progress.getAttribute('aria-pressed')) !== 'true') await progress.click();
    await t.page.locator('.progress-plot canvas').first().waitFor();
    const width = await t.page.evaluate(() => document.querySelector('.progress-plot')!.clientWidth);
    const canvas = await t.page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('.progress-plot canvas')!;
      return { css: c.getBoundingClientRect().width };
    });
    expect(canvas.css).toBeLessThanOrEqual(width);
    expect(canvas.css).toBeGreaterThan(width - 20);
    // The four the seed gives, and the pronunciation score of the review judged in the test before.
    expect(await t.page.locator('.progress-chart h3').allTextContents()).toEqual([
      'Minutes spoken and turns',
      'Words per minute',
      'Mistakes per 100 words',
      'Notebook reviews',
      'Pronunciation score',
    ]);
    // The first series' legend marker takes the series' stroke: the panel's --chart-1 of each scheme.
    const marker = () =>
      t.page.evaluate(() =>
        [...document.querySelectorAll('.progress-plot .u-marker')].map((m) => getComputedStyle(m).borderColor),
      );
    await t.page.emulateMedia({ colorScheme: 'light' });
    await vi.waitFor(async () => expect((await marker())[0]).toBe('rgb(37, 99, 235)'), { timeout: 5_000 });
    await t.page.emulateMedia({ colorScheme: 'dark' });
    await vi.waitFor(async () => expect((await marker())[0]).toBe('rgb(96, 165, 250)'), { timeout: 5_000 });
    await t.page.emulateMedia({ colorScheme: 'light' });
  });

  it('"This week" shows the card on demand; "Practise Small talk" starts a new conversation in that scenario', async () => {
    const progress = t.page.getByRole('button', { name: 'Progress', exact: true });
    if ((await progress.getAttribute('aria-pressed')) !== 'true') await progress.click();
    await t.page.getByRole('button', { name: 'This week' }).click();
    const card = t.page.locator('.week-card');
    await card.waitFor();
    const chats = teacherChats(t.stage.standin).length;
    const conversations = (await readDatabase(t.page)).conversations.length;
    await card.getByRole('button', { name: 'Practise Small talk' }).click();
    expect(await t.page.getByRole('button', { name: 'Progress', exact: true }).getAttribute('aria-pressed')).toBe(
      'false',
    );
    const opening = await waitUntil(() => withBody(teacherChats(t.stage.standin)[chats]));
    const system = (opening.body as ChatBody).messages[0]!.content;
    expect(system).toContain('a friendly colleague chatting by the coffee machine');
    // A new conversation, opened by the teacher's question in the new scenario.
    await waitUntil(async () => (await readDatabase(t.page)).conversations.length === conversations + 1);
    await t.page.locator('.message-assistant').first().waitFor({ timeout: 20_000 });
    expect(await t.page.locator('.message').count()).toBe(1);
    expect(await t.page.locator('.week-card').count()).toBe(0);
  });
});
