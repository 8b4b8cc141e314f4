import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seriousViolations } from './axe';
import { readDatabase, readStore, speechEvents, tapSpeechEvents } from './harness';
import {
  SENTENCES,
  shoot,
  talk,
  talkButton,
  usePanel,
  waitForPhase,
  waitUntil,
  withBody,
  type ChatBody,
} from './fixtures';
import {
  ARTICLE_TITLE,
  ARTICLE_WORDS,
  CLUTTER,
  READ_WITH_SLIP,
  SELECTED,
  SELECTION_TITLE,
  SELECT_FIRST_PARAGRAPH,
} from './pages';

/**
 * "Practise while reading any webpage", headless: the page command's real listener is fired in
 * the service worker (headless Chromium has no keyboard shortcuts; e2e/page-shortcut-headed.e2e.ts
 * presses the real keys). The pages are on 127.0.0.1, a host the extension holds, so the
 * listener can script them without an activeTab grant.
 */

describe('talking about the page the learner is reading', () => {
  const t = usePanel({
    // The exact selection is a candidate too: the stand-in must tell the slip from it.
    sentences: { selected: SELECTED, slip: READ_WITH_SLIP },
    pages: '127.0.0.1',
    // About the width of Chrome's side panel, so the screenshots look like it.
    viewport: { width: 480, height: 900 },
    // The new conversation's opening question, before any page.
    connect: 'heard',
  });
  let reading: Page;

  /** Fires the page command's listener for the tab showing `url` (as the shortcut would). */
  async function pressPageCommand(tabUrl: string): Promise<void> {
    const worker = await t.browser.serviceWorker();
    await worker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      if (!tab) throw new Error(`no tab shows ${url}`);
      // @ts-expect-error dispatch is not in the typings, but fires the real listeners
      chrome.commands.onCommand.dispatch('talk-about-page', tab);
    }, tabUrl);
  }

  const chats = () => t.stage.standin.requests.filter((r) => r.endpoint === 'chat');
  const systemOf = (body: unknown) => (body as ChatBody).messages[0]?.content ?? '';

  beforeAll(async () => {
    reading = await t.browser.context.newPage();
  });

  it('gives the teacher the article and not the clutter around it, and the teacher asks about it', async () => {
    await reading.goto(t.pages.article);
    t.stage.standin.control.clearRequests();
    await pressPageCommand(t.pages.article);

    await t.page.locator('.page-title', { hasText: ARTICLE_TITLE }).waitFor();
    expect(await t.page.locator('.page-site').first().textContent()).toContain('127.0.0.1');
    const chat = await waitUntil(() => withBody(chats()[0]));
    expect(chat.valid).toBe(true);
    const system = systemOf(chat.body);
    expect(system).toContain(`Title: ${ARTICLE_TITLE}`);
    expect(system).toContain(`Address: ${t.pages.article}`);
    expect(system).toContain('Language: en-GB');
    for (const words of ARTICLE_WORDS) expect(system).toContain(words);
    for (const clutter of CLUTTER) expect(system).not.toContain(clutter);

    // The teacher speaks first, about the page.
    const opening = t.page.locator('.message-assistant', { hasText: `I see you are reading “${ARTICLE_TITLE}”` });
    await opening.waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);

    // The learner can see exactly what the teacher was given, as text.
    await t.page.getByText('What the teacher was given').click();
    const given = await t.page.locator('.page-brief').textContent();
    expect(given).toContain('Trees cool the streets around them');
    expect(given).not.toContain('Accept all cookies');

    // Nothing stays on the page: no content script is declared, and the reader left no global
    // in the extension's isolated world of the page, and no element in the page.
    const manifest = await t.page.evaluate(() => chrome.runtime.getManifest());
    expect(manifest.content_scripts).toBeUndefined();
    const fresh = await t.browser.context.newPage();
    await fresh.goto(t.pages.selection);
    const worker = await t.browser.serviceWorker();
    // The extension's isolated world in the page it read, against one in a page it never read.
    const left = await worker.evaluate(
      async ({ read, unread }) => {
        const globals = async (url: string) => {
          const [tab] = await chrome.tabs.query({ url });
          const [frame] = await chrome.scripting.executeScript({
            target: { tabId: tab?.id ?? -1 },
            func: () => Object.keys(globalThis),
          });
          return frame?.result ?? [];
        };
        const baseline = new Set(await globals(unread));
        return (await globals(read)).filter((key) => !baseline.has(key));
      },
      { read: t.pages.article, unread: t.pages.selection },
    );
    await fresh.close();
    expect(left).toEqual([]);
    expect(
      await reading.evaluate(
        () => document.querySelectorAll('[id*=aitalk], [class*=aitalk], [class*=readability]').length,
      ),
    ).toBe(0);
  });

  it('keeps a spoken turn grounded in the page, and keeps the page with the conversation', async () => {
    t.stage.standin.control.clearRequests();
    await t.stage.say('books');
    await talk(t.page, () => talkButton(t.page).click());
    const chat = await waitUntil(() => withBody(chats()[0]));
    expect(systemOf(chat.body)).toContain('Trees cool the streets around them');
    const learner = (chat.body as ChatBody).messages.filter((m) => m.role === 'user').map((m) => m.content);
    expect(learner).toEqual([SENTENCES.books]);
    await t.page
      .locator('.message-assistant', { hasText: `keep talking about “${ARTICLE_TITLE}”` })
      .waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);

    const stored = await readDatabase(t.page);
    const conversation = stored.conversations.at(-1) as { pages?: Array<{ title: string; url: string }> };
    expect(conversation.pages?.map((p) => p.title)).toEqual([ARTICLE_TITLE]);
    await t.page.getByRole('button', { name: 'History', exact: true }).click();
    await t.page.locator('.history-page', { hasText: ARTICLE_TITLE }).waitFor();
    await t.page.getByRole('button', { name: 'History', exact: true }).click();
    await t.page.getByText('What the teacher was given').click();
    await shoot(t.page, 'page-conversation');
  });

  it('brings in a selection visibly, and the learner reads it aloud for a word-by-word score', async () => {
    await reading.goto(t.pages.selection);
    expect(await reading.evaluate(SELECT_FIRST_PARAGRAPH)).toBe(SELECTED);
    t.stage.standin.control.clearRequests();
    await pressPageCommand(t.pages.selection);

    await t.page.locator('.page-title', { hasText: SELECTION_TITLE }).waitFor();
    expect(await t.page.locator('.banner').textContent()).toContain(
      `Now talking about your selection from “${SELECTION_TITLE}”`,
    );
    expect(await t.page.locator('.selection-text').textContent()).toBe(SELECTED);
    const chat = await waitUntil(() => withBody(chats()[0]));
    const system = systemOf(chat.body);
    // The selection first, then the article's opening; the earlier page is named, not repeated.
    expect(system.indexOf(`The part the learner selected:\n${SELECTED}`)).toBeGreaterThan(0);
    expect(system.indexOf('The part the learner selected:')).toBeLessThan(
      system.indexOf('The opening of the article:'),
    );
    expect(system).toContain(`- ${ARTICLE_TITLE}`);
    expect(system).not.toContain('Trees cool the streets around them');
    await t.page
      .locator('.message-assistant', { hasText: `I see you are reading “${SELECTION_TITLE}”` })
      .waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);

    // Read it aloud: recording starts at once; the button stops it; no teacher turn is made.
    t.stage.standin.control.clearRequests();
    const messagesBefore = (await readDatabase(t.page)).messages.length;
    await t.stage.say('slip');
    await t.page.getByRole('button', { name: 'Read it aloud' }).click();
    await waitForPhase(t.page, 'recording');
    await t.page.waitForTimeout(4_500);
    await t.page.getByRole('button', { name: 'Stop reading' }).click();

    const score = t.page.locator('.reading-score');
    await score.waitFor({ timeout: 30_000 });
    const words = SELECTED.split(' ').length;
    expect(await score.textContent()).toMatch(
      new RegExp(`Score: ${words - 1} of ${words} words right · \\d+ words per minute`),
    );
    expect(await t.page.locator('.word-wrong').textContent()).toContain('their (you said “the”)');
    expect(await t.page.locator('.word-right').count()).toBe(words - 1);
    const wpm = Number(/(\d+) words per minute/.exec((await score.textContent()) ?? '')?.[1]);
    expect(wpm).toBeGreaterThan(60);
    expect(wpm).toBeLessThan(300);
    expect(chats()).toHaveLength(0);
    expect((await readDatabase(t.page)).messages.length).toBe(messagesBefore);
    const kept = await readStore<{ text: string; right: number; total: number }>(t.page, 'readings');
    expect(kept).toEqual([expect.objectContaining({ text: SELECTED, right: words - 1, total: words })]);
    await shoot(t.page, 'scored-reading');
  });

  it('"Listen first" reads the selection in the teacher\'s voice', async () => {
    await tapSpeechEvents(t.page);
    await t.page.getByRole('button', { name: 'Listen first' }).click();
    await waitUntil(async () => (await speechEvents(t.page)).some((event) => event.type === 'started'), 20_000);
    await waitUntil(async () => (await speechEvents(t.page)).some((event) => event.type === 'finished'), 30_000);
  });

  it('"Read it aloud" from the page\'s context menu starts recording at once', async () => {
    await reading.evaluate(SELECT_FIRST_PARAGRAPH);
    const worker = await t.browser.serviceWorker();
    await worker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      // The real click listener, with what Chrome passes for a click on the "Read it aloud" item.
      // @ts-expect-error dispatch is not in the typings, but fires the real listeners
      chrome.contextMenus.onClicked.dispatch(
        { menuItemId: 'read-aloud:1', selectionText: 'x', editable: false, pageUrl: url },
        tab,
      );
    }, t.pages.selection);
    await waitForPhase(t.page, 'recording', 15_000);
    await t.page.getByRole('button', { name: 'Stop reading' }).click();
    await waitForPhase(t.page, 'idle', 30_000);
  });

  it('explains the selection in the explanation language, shows it and keeps it as vocabulary', async () => {
    t.stage.standin.control.clearRequests();
    await t.page.getByRole('button', { name: 'What does this mean?' }).click();
    const explanation = t.page.locator('.explanation');
    await explanation.waitFor({ timeout: 20_000 });
    expect(await explanation.locator('dt').textContent()).toBe(SELECTED);
    expect(await explanation.locator('.explanation-example').textContent()).toMatch(/^Example: /);
    const ask = (chats()[0]?.body as ChatBody).messages;
    expect(ask[0]?.content).toMatch(/learner’s dictionary.*in simple English/s);
    expect(ask[1]?.content).toContain(`Word or phrase: ${SELECTED}`);
    const vocabulary = await readStore<{ phrase: string; pageTitle: string }>(t.page, 'vocabulary');
    expect(vocabulary).toEqual([expect.objectContaining({ phrase: SELECTED, pageTitle: SELECTION_TITLE })]);
  });

  it('shows the pages, the selection and its explanation with no serious axe violation, light and dark', async () => {
    expect(await t.page.locator('.page-item').count()).toBeGreaterThan(0);
    await t.page.locator('.page-given summary').first().click();
    for (const colorScheme of ['light', 'dark'] as const) {
      await t.page.emulateMedia({ colorScheme });
      expect(await seriousViolations(t.page)).toEqual([]);
    }
    await t.page.emulateMedia({ colorScheme: 'light' });
  });

  it('takes a page out of the conversation: the teacher no longer receives it', async () => {
    const before = await t.page.locator('.page-item').count();
    await t.page.getByRole('button', { name: 'Take this page out' }).first().click();
    await waitUntil(async () => (await t.page.locator('.page-item').count()) === before - 1);
    t.stage.standin.control.clearRequests();
    await t.stage.say('food');
    await talk(t.page, () => talkButton(t.page).click());
    const chat = await waitUntil(() => withBody(chats()[0]));
    expect(systemOf(chat.body)).not.toContain(SELECTED);
    await waitForPhase(t.page, 'idle', 40_000);
  });

  it('says clearly when a page cannot be read, and when a page has almost no text', async () => {
    await reading.goto('chrome://version');
    await reading.bringToFront();
    const worker = await t.browser.serviceWorker();
    await worker.evaluate(async () => {
      const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
      // @ts-expect-error dispatch is not in the typings, but fires the real listeners
      chrome.commands.onCommand.dispatch('talk-about-page', tab);
    });
    await t.page.locator('.banner', { hasText: 'Chrome does not let extensions read its own pages' }).waitFor();
    expect(await t.page.locator('.banner').textContent()).toContain('You can keep talking without it.');

    await reading.goto(t.pages.empty);
    await pressPageCommand(t.pages.empty);
    await t.page.locator('.banner', { hasText: 'has almost no text to talk about' }).waitFor();
  });
});
