import { beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { connectToStage, openingHeard, talk, talkButton, usePanel, waitForPhase } from './fixtures';

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
});
