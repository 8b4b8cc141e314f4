import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { BenchSpeechEvent } from './analysis.ts';

/**
 * Headless Chromium with the built extension and a fake microphone that plays a WAV file, and the
 * side panel driven the way a learner drives it: through labels and the Talk button.
 */

export interface BenchBrowser {
  context: BrowserContext;
  extensionId: string;
  panel: Page;
  close(): Promise<void>;
}

export async function launchBrowser(options: { extensionDir: string; micFile: string; chromium: string }): Promise<BenchBrowser> {
  if (!existsSync(path.join(options.extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension in ${options.extensionDir}: run \`npm run build\` first, or pass --build.`);
  }
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: options.chromium,
    headless: true,
    args: [
      `--disable-extensions-except=${options.extensionDir}`,
      `--load-extension=${options.extensionDir}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${options.micFile}%noloop`,
      '--use-fake-ui-for-media-stream',
    ],
  });
  try {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(worker.url()).host;
    const panel = await context.newPage();
    await panel.goto(`chrome-extension://${extensionId}/sidepanel.html`);
    // tsx (esbuild with keepNames) wraps named functions in __name(); the functions passed to
    // page.evaluate run in the page, which has no such helper. A string is not transformed.
    await panel.evaluate('globalThis.__name = (fn) => fn');
    await tapSpeechEvents(panel);
    return {
      context,
      extensionId,
      panel,
      async close() {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

interface TapWindow {
  __benchSpeechEvents?: BenchSpeechEvent[];
}

/**
 * Listens, in the panel page, to the 'sidepanel:speech-event' messages the offscreen document sends
 * (@webext-core/messaging's shape {id, type, data, timestamp}); the listener answers nothing, so
 * the panel's own listener still replies.
 */
async function tapSpeechEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const target = window as unknown as TapWindow;
    target.__benchSpeechEvents = [];
    chrome.runtime.onMessage.addListener((message: unknown) => {
      const m = message as { type?: unknown; data?: unknown } | null;
      if (m?.type !== 'sidepanel:speech-event' || typeof m.data !== 'object' || m.data === null) return;
      target.__benchSpeechEvents?.push({ ...(m.data as BenchSpeechEvent), receivedAt: performance.timeOrigin + performance.now() });
    });
  });
}

export function speechEvents(page: Page): Promise<BenchSpeechEvent[]> {
  return page.evaluate(() => (window as unknown as TapWindow).__benchSpeechEvents ?? []);
}

/** Waits for the first 'started' event of a turn not in `known`; returns that turn's id. */
export async function waitForFirstAudio(page: Page, known: readonly string[], timeout = 30_000): Promise<string> {
  const handle = await explained(page, 'the first audio of a new reply', page.waitForFunction(
    (seen) => {
      const events = (window as unknown as TapWindow).__benchSpeechEvents ?? [];
      const first = events.find((e) => e.type === 'started' && e.seq === 0 && !seen.includes(e.turnId));
      return first?.turnId ?? false;
    },
    [...known],
    { timeout, polling: 10 },
  ));
  return (await handle.jsonValue()) as string;
}

export async function configure(
  page: Page,
  values: { apiKey?: string; apiBaseUrl?: string; companionUrl?: string; handsFree?: boolean },
): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  if (values.apiKey !== undefined) await page.getByLabel('API key').fill(values.apiKey);
  if (values.apiBaseUrl !== undefined) await page.getByLabel('API base URL').fill(values.apiBaseUrl);
  if (values.companionUrl !== undefined) await page.getByLabel('Companion URL').fill(values.companionUrl);
  if (values.handsFree !== undefined) await page.getByLabel('Hands-free').setChecked(values.handsFree);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
}

export async function phase(page: Page): Promise<string> {
  return (await page.locator('.talk-status [role=status]').getAttribute('data-phase')) ?? '';
}

export async function waitForPhase(page: Page, wanted: string | readonly string[], timeout = 30_000): Promise<string> {
  const list = typeof wanted === 'string' ? [wanted] : [...wanted];
  const handle = await explained(page, `the Talk bar to show ${list.join(' or ')}`, page.waitForFunction(
    (phases) => {
      const current = document.querySelector('.talk-status [role=status]')?.getAttribute('data-phase') ?? '';
      return phases.includes(current) ? current : false;
    },
    list,
    { timeout, polling: 10 },
  ));
  return (await handle.jsonValue()) as string;
}

/** A wait that fails says what the panel showed then (its phase and any banner), not only that it timed out. */
async function explained<T>(page: Page, what: string, waiting: Promise<T>): Promise<T> {
  try {
    return await waiting;
  } catch (error) {
    const shown = await page
      .evaluate(() => ({
        phase: document.querySelector('.talk-status [role=status]')?.getAttribute('data-phase') ?? '?',
        banner: document.querySelector('.banner')?.textContent?.trim() ?? '',
      }))
      .catch(() => ({ phase: '?', banner: '(the panel did not answer)' }));
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`waiting for ${what}: ${reason}; the panel showed phase "${shown.phase}"${shown.banner ? `, banner "${shown.banner}"` : ''}`, {
      cause: error,
    });
  }
}

/** Presses Talk as the learner does (a click); the panel timestamps the press itself. */
export async function pressTalk(page: Page): Promise<void> {
  await page.locator('.talk-button').click();
}

export interface DbMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  fullText?: string;
  status: string;
  createdAt: number;
  recordingId?: string;
  timings: Record<string, number | undefined>;
}

export interface DbRecording {
  id: string;
  durationMs: number;
  size: number;
  mimeType: string;
  createdAt: number;
}

/** Reads the extension's IndexedDB (messages oldest first, recordings without their audio). */
export async function readDb(page: Page): Promise<{ messages: DbMessage[]; recordings: DbRecording[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('aitalk');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const messages = (await all<DbMessage>('messages')).sort((a, b) => a.createdAt - b.createdAt);
    const recordings = (await all<DbRecording & { blob: Blob }>('recordings')).map((r) => ({
      id: r.id,
      durationMs: r.durationMs,
      size: r.blob.size,
      mimeType: r.mimeType,
      createdAt: r.createdAt,
    }));
    db.close();
    return { messages, recordings };
  });
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
