/**
 * Renders the side panel for the README: English and 简体中文, light and dark, the guided start,
 * a conversation, Progress over two weeks of practice seeded into IndexedDB (e2e/progress-seed.ts),
 * What your teacher remembers (e2e/memory-seed.ts) and a correction card's Say it again judged for
 * pronunciation (a judgement put in the panel's store, as e2e/accessibility.e2e.ts does). It drives the built extension (`npm run build` first) in Chromium with the
 * e2e harness, against the local OpenAI stand-in and the real companion, so the pictures show
 * what the code does today. Chinese needs a CJK font (Debian: fonts-noto-cjk).
 *
 *   npm run screenshots            → docs/screenshots/*.png
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startCompanion } from '../companion-server/src/server.ts';
import type { PronunciationJudgement } from '../core/pronunciation.ts';
import { compareAttempt } from '../features/corrections/word-diff.ts';
import { seedAttempt } from '../e2e/attempt-seed.ts';
import { REPO_ROOT, launch, waitForPhase } from '../e2e/harness.ts';
import { seedMemory } from '../e2e/memory-seed.ts';
import { seedProgress } from '../e2e/progress-seed.ts';
import { makeSpeechWav } from './lib/speech-wav.ts';
import { startStandin } from './openai-standin/server.ts';

const OUT = path.join(REPO_ROOT, 'docs/screenshots');
const SAID = 'Yesterday I go to the park with my friend.';
const VIEWPORT = { width: 420, height: 720 };
/** Tall enough for the streak and three of the charts. */
const PROGRESS_VIEWPORT = { width: 420, height: 900 };
/** The header's buttons, by their label in each language (their order changes as views are added). */
const NAV = {
  en: { settings: 'Settings', progress: 'Progress', memory: 'Memory' },
  'zh-CN': { settings: '设置', progress: '进步', memory: '记忆' },
} as const;
/** The learner's "Say it again" of the corrected sentence, as the transcription heard it. */
const SAID_AGAIN = 'Yesterday I went to the park with my friend';
/**
 * That attempt as the pronunciation judge would judge a Chinese speaker saying it: "the" and "with"
 * with their th-sounds swapped, the final consonant of "friend" dropped.
 */
const JUDGED: PronunciationJudgement = {
  kind: 'judged',
  score: 74,
  words: [
    { text: 'Yesterday', verdict: 'good', start: 0.2, end: 0.75, score: 90, phones: [] },
    { text: 'I', verdict: 'good', start: 0.75, end: 0.9, score: 94, phones: [] },
    { text: 'went', verdict: 'good', start: 0.9, end: 1.2, score: 86, phones: [] },
    { text: 'to', verdict: 'good', start: 1.2, end: 1.32, score: 88, phones: [] },
    { text: 'the', verdict: 'unclear', start: 1.32, end: 1.45, score: 52, phones: [] },
    { text: 'park', verdict: 'good', start: 1.45, end: 1.85, score: 91, phones: [] },
    { text: 'with', verdict: 'unclear', start: 1.85, end: 2.1, score: 47, phones: [] },
    { text: 'my', verdict: 'good', start: 2.1, end: 2.3, score: 89, phones: [] },
    { text: 'friend', verdict: 'unclear', start: 2.3, end: 2.75, score: 55, phones: [] },
  ],
  soundsToWorkOn: [
    { sound: 'th-voiced', ipa: 'ð', word: 'the', heardInstead: 'd', kind: 'substituted' },
    { sound: 'th-voiceless', ipa: 'θ', word: 'with', heardInstead: 's', kind: 'substituted' },
    { sound: 'final-consonant', ipa: 'd', word: 'friend', kind: 'dropped' },
  ],
  elapsedMs: 180,
};

async function shoot(
  page: Page,
  name: string,
  colorScheme: 'light' | 'dark',
  viewport: { width: number; height: number } = VIEWPORT,
): Promise<void> {
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize(viewport);
  await page.screenshot({ path: path.join(OUT, `${name}-${colorScheme}.png`) });
  console.info(`docs/screenshots/${name}-${colorScheme}.png`);
}

/** One part of the panel, in both schemes, at the panel's usual width. */
async function shootPart(page: Page, part: Locator, name: string): Promise<void> {
  await page.setViewportSize(VIEWPORT);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await part.screenshot({ path: path.join(OUT, `${name}-${colorScheme}.png`) });
    console.info(`docs/screenshots/${name}-${colorScheme}.png`);
  }
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const dir = await mkdtemp(path.join(tmpdir(), 'aitalk-shots-'));
  const mic = await makeSpeechWav([{ silenceMs: 300 }, SAID, { silenceMs: 600 }], path.join(dir, 'mic.wav'));
  const standin = await startStandin({ latencyProfile: 'fast', latency: { replyWords: 30 }, candidates: [SAID] });
  const companion = await startCompanion({ port: 0, cacheDir: path.join(dir, 'cache'), log: () => undefined });
  try {
    for (const lang of ['en', 'zh-CN'] as const) {
      const browser = await launch({ micFile: mic, ...(lang === 'en' ? {} : { lang }) });
      try {
        const page = await browser.openPanel();
        await page.locator('.guided-start').waitFor();
        await shoot(page, `guided-start-${lang}`, 'light');
        await shoot(page, `guided-start-${lang}`, 'dark');

        // Through the guide, as a learner would: key and server, then level and scenario.
        await page.locator('#api-key').fill(standin.apiKey);
        await page.locator('#api-base-url').fill(standin.url);
        await page.locator('.guide-voice summary').click();
        await page.locator('#guide-companion-url').fill(companion.url);
        await page.locator('.guide-actions button:not(.quiet)').click();
        await page.locator('.guide-actions button:not(.quiet)').click();
        await page.locator('#guide-level').selectOption('B1');
        await page.locator('#guide-scenario').selectOption('jobInterview');
        await shoot(page, `level-and-scenario-${lang}`, 'light');
        await page.locator('.guide-actions button:not(.quiet)').click();
        await page.locator('.message-assistant').first().waitFor({ timeout: 30_000 });
        await waitForPhase(page, 'idle', 60_000);
        await page.locator('.talk-button').click();
        await waitForPhase(page, 'recording');
        await page.waitForTimeout(3_800);
        await page.locator('.talk-button').click();
        await page.locator('.message-assistant').nth(1).waitFor({ timeout: 30_000 });
        await waitForPhase(page, 'idle', 60_000);
        await page.locator('.guide-actions button:not(.quiet)').click();
        await page.locator('.guided-start').waitFor({ state: 'detached' });
        await shoot(page, `conversation-${lang}`, 'light');
        await shoot(page, `conversation-${lang}`, 'dark');
        await page.locator('nav button', { hasText: NAV[lang].settings }).click();
        await page.locator('form.settings').waitFor();
        await shoot(page, `settings-${lang}`, 'light');
        await page.locator('nav button', { hasText: NAV[lang].settings }).click();

        await seedProgress(page, {
          firstDue: { sentence: SAID, corrected: SAID.replace(' go ', ' went '), original: 'go', replacement: 'went' },
        });
        await page.locator('nav button', { hasText: NAV[lang].progress }).click();
        await page.locator('.progress-plot canvas').first().waitFor();
        // A chart re-draws in the scheme's colours a moment after it changes.
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForTimeout(300);
          await shoot(page, `progress-${lang}`, scheme, PROGRESS_VIEWPORT);
        }
        await page.locator('nav button', { hasText: NAV[lang].progress }).click();

        await seedMemory(page);
        await page.locator('nav button', { hasText: NAV[lang].memory }).click();
        await page.locator('.memory-sounds li').nth(1).waitFor();
        await shoot(page, `memory-${lang}`, 'light', PROGRESS_VIEWPORT);
        await shoot(page, `memory-${lang}`, 'dark', PROGRESS_VIEWPORT);
        await page.locator('nav button', { hasText: NAV[lang].memory }).click();

        const slot = page
          .locator('.correction-slot')
          .filter({ has: page.locator('.say-again') })
          .first();
        const messageId = (await slot.getAttribute('data-message-id')) ?? '';
        await seedAttempt(page, `card:${messageId}`, JUDGED, {
          said: SAID_AGAIN,
          comparison: compareAttempt(SAID.replace(' go ', ' went '), SAID_AGAIN),
        });
        await slot.locator('.pronunciation-sound').nth(2).waitFor();
        await shootPart(page, slot, `pronunciation-${lang}`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await Promise.allSettled([standin.close(), companion.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
