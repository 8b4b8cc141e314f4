import type { Page } from 'playwright-core';
import { shippedWhisperFolder } from '../../companion-server/test/whisper-model.ts';

/**
 * `npm run bench -- --stt`: the companion transcribes the turns (issue 22) instead of the stand-in. The companion
 * is started with `--stt --stt-model …`, and every start waits until its Whisper has loaded: a turn sent while it
 * loads would be answered 503 and time nothing.
 */

/** The companion's arguments: the given model (a name or a folder), else the tiny.en folder `npm run setup:stt` installs. */
export function sttArgs(model: string | undefined): string[] {
  return ['--stt', '--stt-model', model ?? shippedWhisperFolder()];
}

/** Polls /health until its `stt.state` is ready; throws with the companion's own reason when it failed. */
export async function waitForStt(url: string, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  let last = 'no answer yet';
  while (performance.now() - started < timeoutMs) {
    try {
      const health = (await (await fetch(`${url}/health`)).json()) as {
        stt?: { state?: string; message?: string | null } | null;
      };
      const state = health.stt?.state;
      if (state === 'ready') return performance.now() - started;
      if (state === 'failed' || !health.stt)
        throw new Error(`the companion cannot transcribe: ${health.stt?.message ?? 'it was started without --stt'}`);
      last = state ?? 'unknown';
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the companion cannot')) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the companion's transcription was not ready within ${timeoutMs / 1000} s (last: ${last})`);
}

/** Settings › Transcription server › the companion, as a learner chooses it (the Companion URL must be saved first). */
export async function useCompanionTranscription(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page
    .getByLabel('Transcription server', { exact: true })
    .selectOption({ label: 'AITalk companion (this computer)' });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
}
