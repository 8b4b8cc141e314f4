import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { configure, REPO_ROOT, waitForPhase } from './harness.ts';
import { vi } from 'vitest';
import { startCompanion } from '../companion-server/src/server.ts';
import { makeSilenceWav, makeSpeechWav } from '../script/lib/speech-wav.ts';
import { isCorrectionsRequest } from '../script/bench/corrections.ts';
import { startStandin, type RecordedRequest, type Standin } from '../script/openai-standin/server.ts';

/** What the learner says in the tests, each with a typical mistake for the teacher to correct. */
export const SENTENCES = {
  park: 'Yesterday I go to the park with my friend.',
  books: 'I like reading books in the evening.',
  food: 'My favourite food are dumplings.',
} as const;

export interface Stage {
  dir: string;
  /** The file the fake microphone reads; `say` replaces it. */
  mic: string;
  wav: { park: string; books: string; food: string; silence: string };
  standin: Standin;
  companion: { url: string; close(): Promise<void> };
  say(which: keyof Stage['wav']): Promise<void>;
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible server that really recognises the candidate sentences, the real
 * companion with its embedded voice, and WAVs of a learner saying things.
 */
export async function setUpStage(
  options: { latencyProfile?: 'default' | 'fast'; replyWords?: number } = {},
): Promise<Stage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aitalk-stage-'));
  const wav = {
    park: await makeSpeechWav([{ silenceMs: 300 }, SENTENCES.park, { silenceMs: 600 }], path.join(dir, 'park.wav')),
    books: await makeSpeechWav([{ silenceMs: 300 }, SENTENCES.books, { silenceMs: 600 }], path.join(dir, 'books.wav')),
    food: await makeSpeechWav([{ silenceMs: 300 }, SENTENCES.food, { silenceMs: 600 }], path.join(dir, 'food.wav')),
    silence: await makeSilenceWav(3_000, path.join(dir, 'silence.wav')),
  };
  const mic = path.join(dir, 'mic.wav');
  const { copyFile } = await import('node:fs/promises');
  await copyFile(wav.park, mic);
  const standin = await startStandin({
    latencyProfile: options.latencyProfile ?? 'fast',
    // Short replies keep each spoken turn to a few seconds; the bench uses full-length ones.
    latency: { replyWords: options.replyWords ?? 30 },
    candidates: Object.values(SENTENCES),
  });
  // Its cache lives with the stage, so tests never touch the learner's ~/.cache.
  const companion = await startCompanion({ port: 0, cacheDir: path.join(dir, 'cache'), log: () => undefined });
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
