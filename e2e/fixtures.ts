import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { configure, launch, REPO_ROOT, waitForPhase, type Browser, type LaunchOptions } from './harness.ts';
import { servePages, type TestPages } from './pages.ts';
import { startXvfb, type Display } from './xvfb.ts';
import { afterAll, beforeAll, vi } from 'vitest';
import { startCompanion, type CompanionHandle, type StartOptions } from '../companion-server/src/server.ts';
import { makeSilenceWav, makeSpeechWav } from '../script/lib/speech-wav.ts';
import { isCorrectionsRequest } from '../script/bench/corrections.ts';
import { startStandin, type RecordedRequest, type Standin } from '../script/openai-standin/server.ts';

/** What the learner says in the tests, each with a typical mistake for the teacher to correct. */
export const SENTENCES = {
  park: 'Yesterday I go to the park with my friend.',
  books: 'I like reading books in the evening.',
  food: 'My favourite food are dumplings.',
} as const;

/** What every stage's learner can say; `StageOptions.sentences` adds more. */
type Said = keyof typeof SENTENCES | 'silence';

export interface Stage<Extra extends string = never> {
  dir: string;
  /** The file the fake microphone reads; `say` replaces it. */
  mic: string;
  wav: Record<Said | Extra, string>;
  standin: Standin;
  companion: CompanionHandle;
  say(which: Said | Extra): Promise<void>;
  close(): Promise<void>;
}

export interface StageOptions<Extra extends string = never> {
  latencyProfile?: 'default' | 'fast';
  replyWords?: number;
  /** More sentences the learner says, by name: each gets a WAV for `say(name)` and is one of the stand-in's candidates. */
  sentences?: Record<Extra, string>;
  /** The companion's options beyond the stage's own (eSpeak, a cache and voice store in the stage's folder). */
  companion?: Partial<StartOptions>;
}

/** A WAV of the learner saying `sentence`, with the pauses around it a real learner leaves. */
function speech(sentence: string, file: string): Promise<string> {
  return makeSpeechWav([{ silenceMs: 300 }, sentence, { silenceMs: 600 }], file);
}

/**
 * A local OpenAI-compatible server that really recognises the candidate sentences, the real
 * companion with its embedded voice, and WAVs of a learner saying things.
 */
export async function setUpStage<Extra extends string = never>(
  options: StageOptions<Extra> = {},
): Promise<Stage<Extra>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aitalk-stage-'));
  const sentences: Record<string, string> = { ...SENTENCES, ...options.sentences };
  const files = await Promise.all([
    ...Object.entries(sentences).map(
      async ([name, sentence]) => [name, await speech(sentence, path.join(dir, `${name}.wav`))] as const,
    ),
    makeSilenceWav(3_000, path.join(dir, 'silence.wav')).then((file) => ['silence', file] as const),
  ]);
  const wav = Object.fromEntries(files) as Record<Said | Extra, string>;
  const mic = path.join(dir, 'mic.wav');
  await copyFile(wav.park, mic);
  const standin = await startStandin({
    latencyProfile: options.latencyProfile ?? 'fast',
    // Short replies keep each spoken turn to a few seconds; the bench uses full-length ones.
    latency: { replyWords: options.replyWords ?? 30 },
    candidates: Object.values(sentences),
  });
  // Its cache lives with the stage, so tests never touch the learner's ~/.cache.
  const companion = await startCompanion({
    port: 0,
    cacheDir: path.join(dir, 'cache'),
    voicesDir: path.join(dir, 'voices'),
    log: () => undefined,
    ...options.companion,
  });
  return {
    dir,
    mic,
    wav,
    standin,
    companion,
    say: (which) => copyFile(wav[which], mic),
    async close() {
      await Promise.allSettled([standin.close(), companion.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ── One setup for every e2e file ─────────────────────────────────────────────────────────────
//
// useStage and usePanel register their own beforeAll and afterAll in the describe they are
// called in, and return an object whose fields are filled in before its first test. Vitest runs
// afterAll hooks in reverse order, so a file's own hooks, registered after, set up after them
// and are torn down before them.

/** Throws when a field of useStage/usePanel is read before its beforeAll has run (e.g. in a describe body). */
function filled<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is set up in beforeAll: read it in a test or a later hook`);
  return value;
}

export interface OnStage<Extra extends string = never> {
  readonly stage: Stage<Extra>;
}

/** A stage for the tests of this describe; usePanel's `stage` option shares it between browsers. */
export function useStage<Extra extends string = never>(options: StageOptions<Extra> = {}): OnStage<Extra> {
  let stage: Stage<Extra> | undefined;
  beforeAll(async () => {
    stage = await setUpStage(options);
  });
  afterAll(async () => {
    await stage?.close();
  });
  return {
    get stage() {
      return filled(stage, 'the stage');
    },
  };
}

export interface PanelOptions<Extra extends string = never> extends StageOptions<Extra> {
  /** The stage of an enclosing describe (useStage), instead of one of its own; the stage options are then its. */
  stage?: OnStage<Extra>;
  microphone?: LaunchOptions['microphone'];
  /** The browser's UI language, e.g. 'zh-CN'. */
  lang?: string;
  /** Chromium headed on an Xvfb display of its own, for real keyboard shortcuts (e2e/README.md, "Headed tests"). */
  headed?: boolean;
  /** Serves e2e/pages.ts's web pages on this loopback host. */
  pages?: string;
  /** Run in the panel page before its own scripts, at every load. */
  initScripts?: ReadonlyArray<() => void>;
  viewport?: { width: number; height: number };
  /**
   * Unset: the panel as on a first run, with no key. 'saved': the settings point at the stage.
   * 'heard': and the teacher's opening question has been spoken, with the Talk bar ready.
   */
  connect?: 'saved' | 'heard';
}

export interface InPanel<Extra extends string = never> extends OnStage<Extra> {
  readonly browser: Browser;
  /** The side panel in a tab. A test that closes it sets the one it opens instead. */
  page: Page;
  /** With `headed`. */
  readonly display: Display;
  /** With `pages`. */
  readonly pages: TestPages;
  /** Closes the browser and starts it again on the same profile, with a new panel. */
  restart(): Promise<void>;
}

/** The built extension in a browser with its side panel open, on a stage, for the tests of this describe. */
export function usePanel<Extra extends string = never>(options: PanelOptions<Extra> = {}): InPanel<Extra> {
  // Called first so that its hooks wrap the browser's: the stage is up before it starts, closed after it.
  const onStage = options.stage ?? useStage(options);
  let browser: Browser | undefined;
  let page: Page | undefined;
  let display: Display | undefined;
  let pages: TestPages | undefined;

  const start = (userDataDir?: string) =>
    launch({
      micFile: onStage.stage.mic,
      microphone: options.microphone,
      lang: options.lang,
      display: display?.name,
      userDataDir,
    });
  const openPanel = async (from: Browser) => {
    const panel = await from.openPanel({ initScripts: options.initScripts });
    if (options.viewport) await panel.setViewportSize(options.viewport);
    return panel;
  };

  beforeAll(async () => {
    if (options.headed) display = await startXvfb();
    if (options.pages) pages = await servePages(options.pages);
    browser = await start();
    page = await openPanel(browser);
    if (options.connect) await connectToStage(page, onStage.stage);
    if (options.connect === 'heard') await openingHeard(page);
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await display?.close();
  });

  return {
    get stage() {
      return onStage.stage;
    },
    get browser() {
      return filled(browser, 'the browser');
    },
    get page() {
      return filled(page, 'the panel');
    },
    set page(value) {
      page = value;
    },
    get display() {
      return filled(display, 'the display (usePanel({ headed: true }))');
    },
    get pages() {
      return filled(pages, 'the web pages (usePanel({ pages }))');
    },
    async restart() {
      const profile = filled(browser, 'the browser').userDataDir;
      await browser?.close({ keepProfile: true });
      browser = await start(profile);
      page = await openPanel(browser);
    },
  };
}

/** Waits until the teacher's opening question of a new conversation has been said and the Talk bar is ready. */
export async function openingHeard(page: Page): Promise<void> {
  await page
    .locator('.message-assistant')
    .first()
    .locator('text=What did you do last weekend')
    .waitFor({ timeout: 20_000 });
  await waitForPhase(page, 'idle', 30_000);
}

/** The text of the panel's message banner once one shows: 'error' (role=alert) or 'info'. */
export async function bannerText(
  page: Page,
  kind: 'error' | 'info' | 'any' = 'any',
  timeout = 30_000,
): Promise<string> {
  const selector = kind === 'any' ? '.banner' : `.banner-${kind}`;
  return (await page.locator(selector).textContent({ timeout })) ?? '';
}

/** Dismisses whatever banner is showing, so the next assertion sees a new one. */
export async function dismissBanner(page: Page): Promise<void> {
  const dismiss = page.getByRole('button', { name: 'Dismiss message' });
  if (await dismiss.count()) await dismiss.click();
}

/** Polls until `fn` gives something truthy, and returns it. */
export async function waitUntil<T>(fn: () => T | Promise<T>, timeout = 30_000): Promise<NonNullable<T>> {
  return vi.waitFor(
    async () => {
      const value = await fn();
      if (!value) throw new Error('not yet');
      return value as NonNullable<T>;
    },
    { timeout, interval: 100 },
  );
}

export { configure, phase, talkButton, waitForPhase } from './harness.ts';

/** Settings pointed at the stage: the stand-in (with its key) for chat and transcription, and the companion. */
export async function connectToStage(page: Page, stage: Stage): Promise<void> {
  await configure(page, {
    apiKey: stage.standin.apiKey,
    apiBaseUrl: stage.standin.url,
    companionUrl: stage.companion.url,
  });
}

/** Speak for `ms` (the fake microphone plays the file), then press Talk again. */
export async function talk(page: Page, press: () => Promise<void>, ms = 3_800): Promise<void> {
  await press();
  await waitForPhase(page, 'recording');
  await page.waitForTimeout(ms);
  await press();
}

/** The teacher's chat requests, without the corrections lane's (which go to the same endpoint). */
export function teacherChats(standin: Standin): RecordedRequest[] {
  return standin.requests.filter((r) => r.endpoint === 'chat' && !isCorrectionsRequest(r));
}

/**
 * `request` once the stand-in has read its body, else undefined: it records a request as soon as
 * it arrives and reads the body after, so a test that waits for a request and then reads its
 * body or `valid` waits for this.
 */
export function withBody(request: RecordedRequest | undefined): RecordedRequest | undefined {
  return request?.valid === null ? undefined : request;
}

/** The recordings uploaded to the stand-in for transcription, oldest first. */
export function transcriptions(standin: Standin): RecordedRequest[] {
  return standin.requests.filter((r) => r.endpoint === 'transcriptions');
}

/** A chat request's body, as far as the tests read it. */
export interface ChatBody {
  messages: Array<{ role: string; content: string }>;
}

/** Opens Settings, lets `change` set what it wants through the form, and saves. */
export async function changeSettings(page: Page, change: () => Promise<unknown>): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await change();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
}

/**
 * Saves what the panel shows as `<name>.png` in SCREENSHOTS_DIR, for the README, only when that is
 * set (`SCREENSHOTS_DIR=docs/screenshots npm run test:e2e -- corrections page-talk`): an ordinary
 * test run changes no tracked file.
 */
export async function shoot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  await mkdir(path.resolve(REPO_ROOT, dir), { recursive: true });
  await page.screenshot({ path: path.resolve(REPO_ROOT, dir, `${name}.png`) });
}
