import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seriousViolations } from './axe';
import { launch, type Browser } from './harness';
import { setUpStage, talk, talkButton, waitForPhase, type Stage, connectToStage } from './fixtures';

describe('accessibility: every view, light and dark, by keyboard', () => {
  let stage: Stage;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stage = await setUpStage();
    browser = await launch({ micFile: stage.mic });
    page = await browser.openPanel();
    await page.getByRole('heading', { name: 'Guided start' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stage?.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation in the guided start, ${colorScheme}`, async () => {
      await page.emulateMedia({ colorScheme });
      if ((await page.locator('.guided-start').count()) === 0)
        await page.getByRole('button', { name: 'Guided start' }).click();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  it('reaches the Talk button by keyboard, with a visible focus, and announces the phase in a live region', async () => {
    await connectToStage(page, stage);
    await page.locator('.message-assistant').first().waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle', 40_000);
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.classList.contains('talk-button') ?? false);
    }
    expect(reached).toBe(true);
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline.style).toBe('solid');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    // The Talk button says its state in words; the status line is a polite live region.
    expect(await page.locator('.talk-button').innerText()).toBe('Talk');
    const status = page.locator('.talk-status [role=status]');
    expect(await status.getAttribute('aria-live')).toBe('polite');
    expect(await status.innerText()).toMatch(/^Ready/);
  });

  it('takes one spoken turn, so the conversation shows a correction card and the Notebook keeps it', async () => {
    await stage.say('park');
    await talk(page, () => talkButton(page).click());
    await page.locator('.correction-slot .correction-explanation').first().waitFor({ timeout: 30_000 });
    await waitForPhase(page, 'idle', 40_000);
    await page.getByRole('button', { name: 'Notebook', exact: true }).click();
    await page.locator('.notebook-entry').first().waitFor();
    await page.getByRole('button', { name: 'Notebook', exact: true }).click();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const view of ['conversation', 'Settings', 'History', 'Notebook'] as const) {
      it(`has no serious or critical axe violation in ${view}, ${colorScheme}`, async () => {
        await page.emulateMedia({ colorScheme });
        // Back to the conversation first: the header buttons toggle their view.
        for (const open of ['Settings', 'History', 'Notebook', 'Guided start']) {
          const button = page.getByRole('button', { name: open, exact: true });
          if ((await button.getAttribute('aria-pressed')) === 'true') await button.click();
        }
        if (view !== 'conversation') await page.getByRole('button', { name: view, exact: true }).click();
        expect(await seriousViolations(page)).toEqual([]);
      });
    }
  }
});
