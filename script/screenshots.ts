/**
 * Renders the side panel for the README: English and 简体中文, light and dark, the guided start,
 * a conversation, and Progress over two weeks of practice seeded into IndexedDB (e2e/progress-seed.ts). It drives the built extension (`npm run build` first) in Chromium with the
 * e2e harness, against the local OpenAI stand-in and the real companion, so the pictures show
 * what the code does today. Chinese needs a CJK font (Debian: fonts-noto-cjk).
 *
 *   npm run screenshots            → docs/screenshots/*.png
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startCompanion } from '../companion-server/src/server.ts';
import { REPO_ROOT, launch, waitForPhase } from '../e2e/harness.ts';
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
  en: { settings: 'Settings', progress: 'Progress' },
  'zh-CN': { settings: '设置', progress: '进步' },
} as const;

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
