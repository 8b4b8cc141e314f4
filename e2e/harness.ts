import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import type { SpeechEvent } from '../core/messages.ts';

/**
 * The built extension in a real headless Chromium with a fake microphone, and the side panel
 * driven the way a learner drives it (labels, the Talk button, the shortcut). Shared by the e2e
 * suite, `npm run bench` and script/check-offscreen.ts; nothing here depends on a test runner.
 */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXTENSION_DIR = path.join(REPO_ROOT, '.output/chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface LaunchOptions {
  /** The WAV the fake microphone plays (16-bit 48 kHz mono). Rewrite it to change what is said next. */
  micFile: string;
  /**
   * allow: the learner allowed the microphone; deny: they blocked it; ask: nobody has answered
   * yet, as on a first run (no fake answer, so the browser would have to ask).
   */
  microphone?: 'allow' | 'deny' | 'ask';
  /** Reuse a profile to test what survives a browser restart. */
  userDataDir?: string;
  extensionDir?: string;
  /**
   * Run headed on this X display (an Xvfb the test started, see e2e/xvfb.ts), so that real
   * keyboard shortcuts reach Chromium and the real side panel opens.
   */
  display?: string;
  /** The browser's UI language (`--lang`), e.g. 'zh-CN'; English when unset. */
  lang?: string;
}

export interface Browser {
  context: BrowserContext;
  extensionId: string;
  userDataDir: string;
  serviceWorker(): Promise<Worker>;
  /**
   * The side panel's page, opened in a tab (sidePanel.open needs a real user gesture);
   * `initScripts` run in it before its own scripts.
   */
  openPanel(options?: { initScripts?: ReadonlyArray<() => void> }): Promise<Page>;
  /** Fires the real keyboard-shortcut listener in the service worker. */
  pressShortcut(): Promise<void>;
  /** Stops the service worker, as Chrome does when it is idle. */
  stopServiceWorker(): Promise<void>;
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

export async function launch(options: LaunchOptions): Promise<Browser> {
  const extensionDir = options.extensionDir ?? EXTENSION_DIR;
  if (!existsSync(path.join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension in ${extensionDir}: run \`npm run build\` first.`);
  }
  const microphone = options.microphone ?? 'allow';
  const userDataDir = options.userDataDir ?? (await mkdtemp(path.join(tmpdir(), 'aitalk-browser-')));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: options.display === undefined,
    ...(options.display !== undefined ? { env: { ...process.env, DISPLAY: options.display } } : {}),
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${options.micFile}%noloop`,
      ...(microphone === 'allow' ? ['--use-fake-ui-for-media-stream'] : []),
      ...(microphone === 'deny' ? ['--use-fake-ui-for-media-stream=deny'] : []),
      ...(options.lang ? [`--lang=${options.lang}`] : []),
    ],
    ...(options.lang ? { locale: options.lang } : {}),
  });
  // tsx (esbuild with keepNames) wraps named functions in __name(); functions passed to
  // page.evaluate run in the page, which has no such helper.
  await context.addInitScript('globalThis.__name ??= (fn) => fn');
  const serviceWorker = async (): Promise<Worker> =>
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  let extensionId: string;
  try {
    extensionId = new URL((await serviceWorker()).url()).host;
  } catch (error) {
    await context.close();
    throw error;
  }

  return {
    context,
    extensionId,
    userDataDir,
    serviceWorker,
    async openPanel({ initScripts = [] } = {}) {
      const page = await context.newPage();
      for (const script of initScripts) await page.addInitScript(script);
      await page.goto(`chrome-extension://${extensionId}/sidepanel.html`);
      return page;
    },
    async pressShortcut() {
      const worker = await serviceWorker();
      await worker.evaluate(async () => {
        const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
        // @ts-expect-error dispatch is not in the typings, but fires the real listeners
        chrome.commands.onCommand.dispatch('toggle-talk', tab);
      });
    },
    async stopServiceWorker() {
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    },
    async close({ keepProfile = false } = {}) {
      await context.close();
      if (!keepProfile) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Puts a WAV where the fake microphone reads it; Chromium re-reads it at each capture start. */
export async function say(micFile: string, wav: string): Promise<void> {
  await copyFile(wav, micFile);
}

// ── The side panel, as the learner uses it ───────────────────────────────────────────────────

export interface SettingsValues {
  apiKey?: string;
  apiBaseUrl?: string;
  companionUrl?: string;
  companionToken?: string;
  handsFree?: boolean;
}

/** Fills the settings through their labels and saves. */
export async function configure(page: Page, values: SettingsValues): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  if (values.apiKey !== undefined) await page.getByLabel('API key').fill(values.apiKey);
  if (values.apiBaseUrl !== undefined) await page.getByLabel('API base URL').fill(values.apiBaseUrl);
  if (values.companionUrl !== undefined) await page.getByLabel('Companion URL').fill(values.companionUrl);
  if (values.companionToken !== undefined) await page.getByLabel('Companion token').fill(values.companionToken);
  if (values.handsFree !== undefined) await page.getByLabel('Hands-free').setChecked(values.handsFree);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
}

export function talkButton(page: Page) {
  return page.locator('.talk-button');
}

/** The Talk bar's visible state (idle, recording, transcribing, thinking, speaking…). */
export async function phase(page: Page): Promise<string> {
  return (await page.locator('.talk-status [role=status]').getAttribute('data-phase')) ?? '';
}

/** Waits until the Talk bar shows one of `wanted`; returns which. */
export async function waitForPhase(page: Page, wanted: string | readonly string[], timeout = 30_000): Promise<string> {
  const list = typeof wanted === 'string' ? [wanted] : [...wanted];
  const handle = await explained(
    page,
    `the Talk bar to show ${list.join(' or ')}`,
    page.waitForFunction(
      (phases) => {
        const current = document.querySelector('.talk-status [role=status]')?.getAttribute('data-phase') ?? '';
        return phases.includes(current) ? current : false;
      },
      list,
      { timeout, polling: 10 },
    ),
  );
  return (await handle.jsonValue()) as string;
}

/** A wait that fails says what the panel showed then (its phase and any banner), not only that it timed out. */
export async function explained<T>(page: Page, what: string, waiting: Promise<T>): Promise<T> {
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
    throw new Error(
      `waiting for ${what}: ${reason}; the panel showed phase "${shown.phase}"${shown.banner ? `, banner "${shown.banner}"` : ''}`,
      { cause: error },
    );
  }
}

// ── What the extension keeps and says ────────────────────────────────────────────────────────

export interface StoredMessage {
  id: string;
  conversationId: string;
  role: 'user' | 'assistant';
  text: string;
  fullText?: string;
  status: string;
  createdAt: number;
  recordingId?: string;
  timings: Record<string, number | undefined>;
}

export interface StoredRecording {
  id: string;
  size: number;
  mimeType: string;
  durationMs: number;
  createdAt: number;
}

export interface Stored {
  conversations: Array<{ id: string; title: string }>;
  /** Oldest first. */
  messages: StoredMessage[];
  /** Without their audio. */
  recordings: StoredRecording[];
}

/** Reads the extension's IndexedDB from one of its pages. */
/** Every record of one IndexedDB store of the panel (readings, vocabulary…), as the panel keeps it. */
export async function readStore<T>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('aitalk');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return await new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction(name).objectStore(name).getAll();
        request.onsuccess = () => resolve(request.result as unknown[]);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }, store) as Promise<T[]>;
}

export async function readDatabase(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('aitalk');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const recordings = await all<StoredRecording & { blob: Blob }>('recordings');
    const result: Stored = {
      conversations: await all<{ id: string; title: string }>('conversations'),
      messages: (await all<StoredMessage>('messages')).sort((a, b) => a.createdAt - b.createdAt),
      recordings: recordings.map(({ blob, ...rest }) => ({ ...rest, size: blob.size })),
    };
    db.close();
    return result;
  });
}

/** A speech event as the panel received it, with when (performance.timeOrigin-based). */
export type SeenSpeechEvent = SpeechEvent & { receivedAt: number };

interface TapWindow {
  aitalkSpeechEvents?: SeenSpeechEvent[];
}

/**
 * Records, in the panel page, every speech event the offscreen document sends
 * (@webext-core/messaging's shape {id, type, data, timestamp}). The listener answers nothing,
 * so the panel's own listener still replies.
 */
export async function tapSpeechEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const target = window as unknown as TapWindow;
    target.aitalkSpeechEvents = [];
    chrome.runtime.onMessage.addListener((message: unknown) => {
      const m = message as { type?: unknown; data?: unknown } | null;
      if (m?.type !== 'sidepanel:speech-event' || typeof m.data !== 'object' || m.data === null) return;
      target.aitalkSpeechEvents?.push({
        ...(m.data as SeenSpeechEvent),
        receivedAt: performance.timeOrigin + performance.now(),
      });
    });
  });
}

export function speechEvents(page: Page): Promise<SeenSpeechEvent[]> {
  return page.evaluate(() => (window as unknown as TapWindow).aitalkSpeechEvents ?? []);
}
