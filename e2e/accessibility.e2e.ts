import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { refusal, type PronunciationJudgement } from '../core/pronunciation';
import { compareAttempt } from '../features/corrections/word-diff';
import { seedAttempt } from './attempt-seed';
import { seriousViolations } from './axe';
import { connectToStage, openingHeard, talk, talkButton, usePanel, waitForPhase } from './fixtures';
import { MEMORY_SEED_FACTS, proposeFacts, seedMemory } from './memory-seed';

/** A judged attempt with every verdict and three sounds to work on, as the pronunciation judge gives one. */
const JUDGED: PronunciationJudgement = {
  kind: 'judged',
  score: 72,
  words: [
    { text: 'I', verdict: 'good', start: 0.1, end: 0.25, score: 91, phones: [] },
    { text: 'think', verdict: 'unclear', start: 0.25, end: 0.6, score: 44, phones: [] },
    { text: 'Tokyo', verdict: 'unknown', start: 0, end: 0, phones: [] },
    { text: 'world', verdict: 'missed', start: 0, end: 0, score: 0, phones: [] },
  ],
  soundsToWorkOn: [
    { sound: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', kind: 'substituted' },
    { sound: 'final-consonant', ipa: 'd', word: 'world', kind: 'dropped' },
    { sound: 'v', ipa: 'v', word: 'very', heardInstead: 'w', kind: 'substituted' },
  ],
  elapsedMs: 150,
};

/**
 * Presses Tab `presses` times from what has the focus now and names each control it lands on inside
 * `within` (by its aria-label, its <label>, or its text), in order.
 */
async function tabStopsWithin(page: Page, within: string, presses: number): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate((selector) => {
      const element = document.activeElement as HTMLElement | null;
      if (!element?.closest(selector)) return null;
      const labelled = element as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
      return (
        element.getAttribute('aria-label') ??
        labelled.labels?.[0]?.textContent ??
        element.textContent ??
        element.tagName
      ).trim();
    }, within);
    if (name !== null) stops.push(name);
  }
  return stops;
}

/** Waits until `locator` has the focus (the views move it after they render, not at once). */
async function focusReaches(page: Page, locator: Locator): Promise<void> {
  await page.waitForFunction((element) => element === document.activeElement, await locator.elementHandle(), {
    timeout: 2_000,
  });
}

/** Back to the conversation: the header buttons toggle their view. */
async function closeViews(page: Page): Promise<void> {
  for (const open of ['Settings', 'History', 'Notebook', 'Progress', 'Memory', 'Guided start']) {
    const button = page.getByRole('button', { name: open, exact: true });
    if ((await button.getAttribute('aria-pressed')) === 'true') await button.click();
  }
}

describe('accessibility: every view, light and dark, by keyboard', () => {
  const t = usePanel();

  beforeAll(async () => {
    await t.page.getByRole('heading', { name: 'Guided start' }).waitFor();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation in the guided start, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      if ((await t.page.locator('.guided-start').count()) === 0)
        await t.page.getByRole('button', { name: 'Guided start' }).click();
      expect(await seriousViolations(t.page)).toEqual([]);
    });
  }

  it('reaches the Talk button by keyboard, with a visible focus, and announces the phase in a live region', async () => {
    await connectToStage(t.page, t.stage);
    await openingHeard(t.page);
    await t.page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await t.page.keyboard.press('Tab');
      reached = await t.page.evaluate(() => document.activeElement?.classList.contains('talk-button') ?? false);
    }
    expect(reached).toBe(true);
    const outline = await t.page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline.style).toBe('solid');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    // The Talk button says its state in words; the status line is a polite live region.
    expect(await t.page.locator('.talk-button').innerText()).toBe('Talk');
    const status = t.page.locator('.talk-status [role=status]');
    expect(await status.getAttribute('aria-live')).toBe('polite');
    expect(await status.innerText()).toMatch(/^Ready/);
  });

  it('takes one spoken turn, so the conversation shows a correction card and the Notebook keeps it', async () => {
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());
    await t.page.locator('.correction-slot .correction-explanation').first().waitFor({ timeout: 30_000 });
    await waitForPhase(t.page, 'idle', 40_000);
    await t.page.getByRole('button', { name: 'Notebook', exact: true }).click();
    await t.page.locator('.notebook-entry').first().waitFor();
    await t.page.getByRole('button', { name: 'Notebook', exact: true }).click();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const view of ['conversation', 'Settings', 'History', 'Notebook', 'Progress'] as const) {
      it(`has no serious or critical axe violation in ${view}, ${colorScheme}`, async () => {
        await t.page.emulateMedia({ colorScheme });
        // Back to the conversation first: the header buttons toggle their view.
        for (const open of ['Settings', 'History', 'Notebook', 'Progress', 'Guided start']) {
          const button = t.page.getByRole('button', { name: open, exact: true });
          if ((await button.getAttribute('aria-pressed')) === 'true') await button.click();
        }
        if (view !== 'conversation') await t.page.getByRole('button', { name: view, exact: true }).click();
        // Settings › Voice as filled from the companion's GET /voices, not while it is being asked.
        if (view === 'Settings') await t.page.locator('select#voice optgroup').first().waitFor({ state: 'attached' });
        if (view === 'Progress') await t.page.locator('.progress-plot canvas').first().waitFor();
        expect(await seriousViolations(t.page)).toEqual([]);
      });
    }
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation in Progress with every chart as a table and the week's card, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      const progress = t.page.getByRole('button', { name: 'Progress', exact: true });
      if ((await progress.getAttribute('aria-pressed')) !== 'true') await progress.click();
      await t.page.getByRole('button', { name: 'This week' }).click();
      await t.page.locator('.week-card').waitFor();
      for (const toggle of await t.page.getByRole('button', { name: 'Show as table' }).all()) {
        if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
      }
      expect(await t.page.locator('.progress-table').count()).toBe(4);
      expect(await seriousViolations(t.page)).toEqual([]);
      await t.page.getByRole('button', { name: 'Dismiss the week’s card' }).click();
    });
  }

  it('seeds what the teacher remembers: three facts, two recurring mistakes, two sounds', async () => {
    await seedMemory(t.page);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`What your teacher remembers, with facts, recurring mistakes and sounds: no serious or critical axe violation, every control reached by Tab, Escape gives the focus back, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      await closeViews(t.page);
      const open = t.page.getByRole('button', { name: 'Memory', exact: true });
      await open.click();
      const memory = t.page.getByRole('region', { name: 'What your teacher remembers' });
      await memory
        .locator('.memory-fact')
        .nth(MEMORY_SEED_FACTS.length - 1)
        .waitFor();
      await memory.locator('.memory-mistakes li').nth(1).waitFor();
      await memory.locator('.memory-sounds li').nth(1).waitFor();
      const mistakes = await memory.locator('.memory-mistakes li').allInnerTexts();
      expect(mistakes).toHaveLength(2);
      expect(mistakes).toContain('Articles (a, an, the) 2 times in 2 conversations');
      // The spoken turn above ("I go to the park") may have added a past simple of its own.
      expect(mistakes.filter((line) => /^Past simple [23] times in [23] conversations$/.test(line))).toHaveLength(1);
      expect(await memory.locator('.memory-sounds li').allInnerTexts()).toEqual(['/θ/ (think)', '/v/ (very)']);
      expect(await seriousViolations(t.page)).toEqual([]);

      // From the header's Memory button, Tab reaches each fact's Edit and Delete, then Forget everything.
      await open.focus();
      expect(await tabStopsWithin(t.page, '.memory-view', 12)).toEqual([
        ...MEMORY_SEED_FACTS.flatMap((fact) => [`Edit “${fact.text}”`, `Delete “${fact.text}”`]),
        'Forget everything',
      ]);
      const edit = memory.getByRole('button', { name: `Edit “${MEMORY_SEED_FACTS[1].text}”` });
      await edit.click();
      await focusReaches(t.page, memory.getByLabel('What to remember'));
      expect(await tabStopsWithin(t.page, '.memory-fact', 2)).toEqual(['Save', 'Cancel']);
      expect(await seriousViolations(t.page)).toEqual([]);
      await t.page.keyboard.press('Escape');
      await focusReaches(t.page, edit);
      await memory.getByText(MEMORY_SEED_FACTS[1].text).waitFor();

      const forget = memory.getByRole('button', { name: 'Forget everything' });
      await forget.press('Enter');
      const yes = memory.getByRole('button', { name: 'Yes, forget everything' });
      await focusReaches(t.page, memory.getByRole('button', { name: 'Cancel' }));
      expect(await seriousViolations(t.page)).toEqual([]);
      await t.page.keyboard.press('Escape');
      await yes.waitFor({ state: 'detached' });
      await focusReaches(t.page, forget);
      expect(await memory.locator('.memory-fact').count()).toBe(MEMORY_SEED_FACTS.length);
      await open.click();
    });
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`the proposal card "Remember this for next time?" with facts proposed: no serious or critical axe violation, every control reached by Tab, Escape closes it and gives the focus back, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      await closeViews(t.page);
      const proposed = [
        { kind: 'goal', text: 'Wants to pass IELTS with a 7' },
        { kind: 'interests', text: 'Plays badminton at the weekend' },
      ];
      // The learner has just pressed New conversation: that is where the focus is when the card comes.
      const started = t.page.getByRole('button', { name: 'New conversation' });
      await started.focus();
      await proposeFacts(t.page, proposed);
      const card = t.page.getByRole('region', { name: 'Remember this for next time?' });
      await card.waitFor();
      expect(await seriousViolations(t.page)).toEqual([]);

      expect(await tabStopsWithin(t.page, '.memory-proposal', 30)).toEqual([
        'Not now',
        ...proposed.flatMap((fact) => [
          'About',
          'What to remember',
          `Keep “${fact.text}”`,
          `Delete “${fact.text}” (not remembered)`,
        ]),
      ]);
      await card.getByLabel('What to remember').first().focus();
      await t.page.keyboard.press('Escape');
      await card.waitFor({ state: 'detached' });
      await focusReaches(t.page, started);
    });
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`Settings › Voice by keyboard: picking a voice plays its sample, with a labelled Stop reached by Tab; no serious axe violation while it plays, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      const settings = t.page.getByRole('button', { name: 'Settings', exact: true });
      if ((await settings.getAttribute('aria-pressed')) !== 'true') await settings.click();
      const voice = t.page.getByRole('combobox', { name: 'Voice' });
      await voice.locator('optgroup').first().waitFor({ state: 'attached' });
      await voice.focus();
      await t.page.keyboard.press('ArrowDown');
      await t.page.getByText('Playing sample…').waitFor();
      expect(await seriousViolations(t.page)).toEqual([]);
      await t.page.keyboard.press('Tab');
      expect(await t.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Stop the voice sample',
      );
      await t.page.keyboard.press('Enter');
      await t.page.getByRole('button', { name: 'Hear this voice' }).waitFor();
      expect(await t.page.locator('.voice-sample-error').count()).toBe(0);
    });
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`Repeat after me open, then a judged attempt and a refusal in it: no serious or critical axe violation, the words reached by Tab with a visible focus, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      for (const open of ['Settings', 'History', 'Notebook', 'Guided start']) {
        const button = t.page.getByRole('button', { name: open, exact: true });
        if ((await button.getAttribute('aria-pressed')) === 'true') await button.click();
      }
      // Run alone, this case needs a teacher reply of its own: the opening question.
      if ((await t.page.locator('.message-assistant').count()) === 0) {
        await connectToStage(t.page, t.stage);
        await openingHeard(t.page);
      }
      const opener = t.page.getByRole('button', { name: 'Repeat after me' }).last();
      if ((await opener.getAttribute('aria-expanded')) !== 'true') await opener.click();
      const repeat = t.page.getByRole('region', { name: 'Repeat after me, sentence by sentence' });
      await repeat.waitFor();
      expect(await seriousViolations(t.page)).toEqual([]);

      const targetId = (await repeat.getAttribute('data-target-id')) ?? '';
      expect(targetId).toMatch(/^repeat:.+:0$/);
      await seedAttempt(t.page, targetId, JUDGED);
      await repeat.getByText('Pronunciation: 72 / 100').waitFor();
      expect(await repeat.locator('.pronunciation-sound').count()).toBe(3);
      expect(await seriousViolations(t.page)).toEqual([]);
      // Tab from Say it reaches the first word, which shows its focus.
      await repeat.getByRole('button', { name: 'Say it', exact: true }).focus();
      let reached: string | null = null;
      for (let i = 0; i < 5 && !reached; i++) {
        await t.page.keyboard.press('Tab');
        reached = await t.page.evaluate(() =>
          document.activeElement?.classList.contains('pron-word-button')
            ? document.activeElement.getAttribute('aria-label')
            : null,
        );
      }
      expect(reached).toBe('I — said well. Play your recording and the teacher’s');
      expect(await t.page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).toBe(
        'solid',
      );

      await seedAttempt(t.page, targetId, refusal('silent'));
      expect(await repeat.getByRole('alert').innerText()).toBe(
        'Nothing was heard. Check that the microphone is on and say the sentence again.',
      );
      expect(await seriousViolations(t.page)).toEqual([]);
      await repeat.getByRole('button', { name: 'Listen', exact: true }).focus();
      await t.page.keyboard.press('Escape');
      await repeat.waitFor({ state: 'detached' });
    });
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`a correction card's Say it again with the words heard and a judgement, as one result: no serious or critical axe violation, ${colorScheme}`, async () => {
      await t.page.emulateMedia({ colorScheme });
      const slot = t.page
        .locator('.correction-slot')
        .filter({ has: t.page.locator('.say-again') })
        .first();
      const messageId = (await slot.getAttribute('data-message-id')) ?? '';
      const said = 'I think the world is big';
      await seedAttempt(t.page, `card:${messageId}`, JUDGED, {
        said,
        comparison: compareAttempt('I think Tokyo world is big', said),
      });
      await slot.getByText(/words right\. .*Pronunciation: 72 \/ 100$/).waitFor();
      expect(await slot.locator('.pronunciation-words li').count()).toBe(4);
      expect(await slot.getByText(`We heard: “${said}”`).count()).toBe(1);
      expect(await seriousViolations(t.page)).toEqual([]);
      await seedAttempt(t.page, `card:${messageId}`, refusal('too-short'), {
        said,
        comparison: compareAttempt('I think Tokyo world is big', said),
      });
      await slot.getByRole('alert').waitFor();
      expect(await seriousViolations(t.page)).toEqual([]);
    });
  }
});
