import { mkdtemp, rm, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXTENSION_DIR = path.join(REPO_ROOT, '.output/chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface LaunchOptions {
  /** The WAV the fake microphone plays (16-bit 48 kHz mono). Rewrite it to change what is said next. */
  micFile: string;
  /** Refuse microphone access, as a learner who clicked Block would. */
  denyMicrophone?: boolean;
  /** Reuse a profile to test what survives a browser restart. */
  userDataDir?: string;
}

export interface Browser {
  context: BrowserContext;
  extensionId: string;
  userDataDir: string;
  serviceWorker(): Promise<Worker>;
  /** The side panel's page, opened in a tab (sidePanel.open needs a real user gesture). */
  openPanel(): Promise<Page>;
  /** Fires the real keyboard-shortcut listener in the service worker. */
  pressShortcut(): Promise<void>;
  /** Stops the service worker, as Chrome does when it is idle. */
  stopServiceWorker(): Promise<void>;
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

export async function launch(options: LaunchOptions): Promise<Browser> {
  if (!existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`No built extension in ${EXTENSION_DIR}: run \`npm run build\` first.`);
  }
  const userDataDir = options.userDataDir ?? (await mkdtemp(path.join(tmpdir(), 'aitalk-e2e-')));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${options.micFile}%noloop`,
      options.denyMicrophone ? '--use-fake-ui-for-media-stream=deny' : '--use-fake-ui-for-media-stream',
    ],
  });
  const serviceWorker = async (): Promise<Worker> =>
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL((await serviceWorker()).url()).host;

  return {
    context,
    extensionId,
    userDataDir,
    serviceWorker,
    async openPanel() {
      const page = await context.newPage();
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

/** Reads the extension's IndexedDB from one of its pages. */
export async function readDatabase(page: Page): Promise<{
  conversations: Array<{ id: string; title: string }>;
  messages: Array<{ id: string; conversationId: string; role: string; text: string; status: string; recordingId?: string; timings: Record<string, number> }>;
  recordings: Array<{ id: string; size: number; mimeType: string }>;
}> {
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
    const recordings = await all<{ id: string; blob: Blob; mimeType: string }>('recordings');
    const result = {
      conversations: await all<{ id: string; title: string }>('conversations'),
      messages: (await all<{ createdAt: number }>('messages')).sort((a, b) => a.createdAt - b.createdAt) as never,
      recordings: recordings.map((r) => ({ id: r.id, size: r.blob.size, mimeType: r.mimeType })),
    };
    db.close();
    return result;
  });
}
