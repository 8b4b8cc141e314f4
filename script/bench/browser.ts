import type { BrowserContext, Page, Worker } from 'playwright-core';
import {
  explained,
  launch,
  readDatabase,
  speechEvents as seenSpeechEvents,
  tapSpeechEvents,
  talkButton,
  type StoredMessage,
} from '../../e2e/harness.ts';
import type { BenchSpeechEvent } from './analysis.ts';

/**
 * The bench's browser: the e2e harness (headless Chromium, the built extension, a fake
 * microphone, the panel driven through its labels) plus what only the bench needs.
 */

export { configure, phase, waitForPhase } from '../../e2e/harness.ts';
export type DbMessage = StoredMessage;
export const readDb = readDatabase;

export interface BenchBrowser {
  context: BrowserContext;
  extensionId: string;
  panel: Page;
  serviceWorker(): Promise<Worker>;
  close(): Promise<void>;
}

export async function launchBrowser(options: { extensionDir: string; micFile: string }): Promise<BenchBrowser> {
  const browser = await launch({ micFile: options.micFile, extensionDir: options.extensionDir });
  try {
    const panel = await browser.openPanel();
    await tapSpeechEvents(panel);
    return {
      context: browser.context,
      extensionId: browser.extensionId,
      panel,
      serviceWorker: browser.serviceWorker,
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export async function speechEvents(page: Page): Promise<BenchSpeechEvent[]> {
  return (await seenSpeechEvents(page)) as BenchSpeechEvent[];
}

/** Waits for the first 'started' event of a turn not in `known`; returns that turn's id. */
export async function waitForFirstAudio(page: Page, known: readonly string[], timeout = 30_000): Promise<string> {
  const handle = await explained(
    page,
    'the first audio of a new reply',
    page.waitForFunction(
      (seen) => {
        const events = (window as unknown as { aitalkSpeechEvents?: BenchSpeechEvent[] }).aitalkSpeechEvents ?? [];
        const first = events.find((e) => e.type === 'started' && e.seq === 0 && !seen.includes(e.turnId));
        return first?.turnId ?? false;
      },
      [...known],
      { timeout, polling: 10 },
    ),
  );
  return (await handle.jsonValue()) as string;
}

/** Presses Talk as the learner does (a click); the panel timestamps the press itself. */
export async function pressTalk(page: Page): Promise<void> {
  await talkButton(page).click();
}

export async function waitForDb<T>(
  page: Page,
  pick: (db: Awaited<ReturnType<typeof readDb>>) => T | undefined,
  timeout = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = pick(await readDb(page));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for IndexedDB');
    await page.waitForTimeout(50);
  }
}

/**
 * Presses the keyboard shortcut as Chrome does: fires the real commands.onCommand listener in the
 * service worker with the panel's tab. Resolves with the moment of the press on the worker's
 * clock (performance.timeOrigin + now(), like every timing in IndexedDB).
 */
export async function pressShortcut(browser: BenchBrowser): Promise<number> {
  const worker = await browser.serviceWorker();
  const panelUrl = browser.panel.url();
  return worker.evaluate(async (url) => {
    // Chrome hands the listener the active tab; finding it is Chrome's work, not the extension's.
    const [tab] = await chrome.tabs.query({ url });
    const pressedAt = performance.timeOrigin + performance.now();
    // @ts-expect-error dispatch is not in the typings, but fires the real listeners
    chrome.commands.onCommand.dispatch('toggle-talk', tab);
    return pressedAt;
  }, panelUrl);
}
