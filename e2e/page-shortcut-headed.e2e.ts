import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SENTENCES, usePanel, waitUntil, withBody, type ChatBody } from './fixtures';
import { attachToTarget, targetUrls, type Evaluator } from './offscreen-probe';
import { ARTICLE_TITLE, CLUTTER, SELECTED, SELECT_FIRST_PARAGRAPH } from './pages';

/**
 * The real keyboard shortcuts in a headed Chromium under Xvfb: xdotool presses Alt+Shift+L on a
 * page, Chrome opens the real side panel and gives the real activeTab grant, and the page is read
 * under that grant alone — the pages are served on 127.0.0.2, a host the extension has no
 * permission for. The panel is reached over the DevTools protocol (Playwright does not list side
 * panels as pages). See e2e/README.md, "Headed tests".
 */

describe('the real page and talk shortcuts, headed', () => {
  // Settings once, in a tab; the real side panel opened by the shortcut reads them from storage.
  const t = usePanel({ sentences: { selected: SELECTED }, headed: true, pages: '127.0.0.2', connect: 'saved' });
  let reading: Page;
  let panel: Evaluator | undefined;

  const chats = () => t.stage.standin.requests.filter((r) => r.endpoint === 'chat');
  const panelText = (selector: string) =>
    (panel as Evaluator)<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`);
  const panelPhase = () =>
    panelText('.talk-status [role=status]').then(async () =>
      (panel as Evaluator)<string>(`document.querySelector('.talk-status [role=status]')?.dataset.phase ?? ''`),
    );

  /** Puts the keyboard on the reading page, as a learner's click on it would. */
  async function focusPage(): Promise<void> {
    await reading.bringToFront();
    await t.display.focusChromium();
    await reading.click('h1');
  }

  beforeAll(async () => {
    await t.page.close();
    reading = await t.browser.context.newPage();
    await reading.goto(t.pages.article);
  });

  it('registers both shortcuts with the keys it suggests', async () => {
    const worker = await t.browser.serviceWorker();
    const commands = await worker.evaluate(() => chrome.commands.getAll());
    const byName = Object.fromEntries(commands.map((c) => [c.name, c.shortcut]));
    expect(byName['toggle-talk']).toBe('Alt+Shift+S');
    expect(byName['talk-about-page']).toBe('Alt+Shift+L');
  });

  it('Alt+Shift+L opens the real side panel and reads the article under the activeTab grant', async () => {
    const worker = await t.browser.serviceWorker();
    // Without a grant the page cannot be read at all: the grant is what the shortcut gives.
    const before = await worker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({});
      const target = (await chrome.tabs.query({})).find((t) => t.url === url) ?? tab;
      try {
        await chrome.scripting.executeScript({ target: { tabId: target?.id ?? -1 }, func: () => document.title });
        return 'read';
      } catch (error) {
        return String(error);
      }
    }, t.pages.article);
    expect(before).toMatch(/Cannot access|permission/i);
    expect((await targetUrls(reading)).some((url) => url.endsWith('/sidepanel.html'))).toBe(false);

    t.stage.standin.control.clearRequests();
    await focusPage();
    await t.display.key('alt+shift+l');

    await waitUntil(async () => (await targetUrls(reading)).some((url) => url.endsWith('/sidepanel.html')), 15_000);
    panel = await attachToTarget(reading, '/sidepanel.html');
    await waitUntil(async () => (await panelText('.page-title')) === ARTICLE_TITLE, 20_000);
    const chat = await waitUntil(
      () => chats().find((c) => (c.body as ChatBody).messages.at(-1)?.role === 'system'),
      20_000,
    );
    const system = (chat.body as ChatBody).messages[0]?.content ?? '';
    expect(system).toContain('Trees cool the streets around them');
    for (const clutter of CLUTTER) expect(system).not.toContain(clutter);
    await waitUntil(
      async () => (await panelText('.messages, .app-main')).includes(`I see you are reading “${ARTICLE_TITLE}”`),
      20_000,
    );
  });

  it('Alt+Shift+S talks about it: the spoken turn stays grounded in the page', async () => {
    await waitUntil(async () => (await panelPhase()) === 'idle', 40_000);
    t.stage.standin.control.clearRequests();
    await t.stage.say('books');
    await focusPage();
    await t.display.key('alt+shift+s');
    await waitUntil(async () => (await panelPhase()) === 'recording', 15_000);
    await reading.waitForTimeout(3_800);
    await t.display.key('alt+shift+s');
    const chat = await waitUntil(() => withBody(chats()[0]), 30_000);
    const body = chat.body as ChatBody;
    expect(body.messages[0]?.content).toContain('Trees cool the streets around them');
    expect(body.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([SENTENCES.books]);
    await waitUntil(
      async () => (await panelText('.app-main')).includes(`keep talking about “${ARTICLE_TITLE}”`),
      30_000,
    );
    await waitUntil(async () => (await panelPhase()) === 'idle', 40_000);
  });

  it('a selection comes in with the shortcut; reading it aloud is stopped by the talk shortcut and scored', async () => {
    await reading.goto(t.pages.selection);
    await focusPage();
    expect(await reading.evaluate(SELECT_FIRST_PARAGRAPH)).toBe(SELECTED);
    t.stage.standin.control.clearRequests();
    await t.display.key('alt+shift+l');
    await waitUntil(async () => (await panelText('.selection-text')) === SELECTED, 20_000);
    // The teacher opens about the selection; Read it aloud waits until it has finished (the panel
    // is idle for a moment before that opening starts, and the button is disabled while it runs).
    await waitUntil(() => chats().find((c) => (c.body as ChatBody).messages.at(-1)?.role === 'system'), 20_000);
    await waitUntil(async () => (await panelPhase()) === 'idle', 40_000);

    t.stage.standin.control.clearRequests();
    // The learner reads the selection exactly.
    await t.stage.say('selected');
    await (panel as Evaluator)(
      `[...document.querySelectorAll('button')].find((b) => b.textContent === 'Read it aloud').click()`,
    );
    await waitUntil(async () => (await panelPhase()) === 'recording', 15_000);
    await reading.waitForTimeout(4_500);
    await focusPage();
    await t.display.key('alt+shift+s');
    await waitUntil(async () => (await panelText('.reading-score')).startsWith('Score:'), 30_000);
    const words = SELECTED.split(' ').length;
    expect(await panelText('.reading-score')).toMatch(new RegExp(`Score: ${words} of ${words} words right`));
    // Judged locally: no teacher turn was made of it.
    expect(chats()).toHaveLength(0);
  });
});
