import { readFile } from 'node:fs/promises';
import { readDatabase, waitForPhase } from '../../e2e/harness.ts';
import { SENTENCES, type Stage } from '../../e2e/fixtures.ts';
import { pressShortcut, waitForDb, type BenchBrowser } from '../bench/browser.ts';
import { readPcm16 } from '../lib/wav.ts';
import { UNFINISHED_STATUSES, type MicrophoneSample } from './analysis.ts';
import type { BrowserProbes } from './probes.ts';

/** The learner's sentences, said in turn; each WAV is 300 ms of quiet, the sentence, 600 ms of quiet. */
const ROTATION = ['park', 'books', 'food'] as const satisfies ReadonlyArray<keyof typeof SENTENCES>;

export interface TurnOutcome {
  turn: number;
  /** The learner turn was transcribed and the teacher's reply is done. */
  answered: boolean;
  /** The transcript is not the sentence said (the turn still counts as answered). */
  misheard: boolean;
  microphone: MicrophoneSample;
  ms: number;
  /** What went wrong, in words, when the turn was not answered. */
  problem?: string;
}

/** How long the learner holds Talk for each sentence: the whole WAV, then the press. */
export async function holdTimes(stage: Stage): Promise<Record<(typeof ROTATION)[number], number>> {
  const entries = await Promise.all(
    ROTATION.map(async (key) => {
      const { rate, samples } = readPcm16(await readFile(stage.wav[key]));
      return [key, Math.round((samples.length / rate) * 1000)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<(typeof ROTATION)[number], number>;
}

/**
 * One spoken turn through the keyboard shortcut, hands-free off: the shortcut starts the
 * recording, the learner says one sentence, the shortcut again sends it; the turn is over when the
 * panel is idle again and IndexedDB holds the learner's message and the teacher's finished reply.
 */
export async function spokenTurn(
  turn: number,
  browser: BenchBrowser,
  stage: Stage,
  probes: BrowserProbes,
  holdMs: Record<(typeof ROTATION)[number], number>,
): Promise<TurnOutcome> {
  const page = browser.panel;
  const started = performance.now();
  const key = ROTATION[(turn - 1) % ROTATION.length]!;
  const microphone: MicrophoneSample = { turn, liveWhileRecording: 0, liveBetweenTurns: -1 };
  const outcome = (answered: boolean, misheard: boolean, problem?: string): TurnOutcome => ({
    turn,
    answered,
    misheard,
    microphone,
    ms: performance.now() - started,
    ...(problem ? { problem } : {}),
  });
  try {
    await waitForPhase(page, 'idle', 60_000);
    const before = new Set((await readDatabase(page)).messages.map((m) => m.id));
    await stage.say(key);
    await pressShortcut(browser);
    await waitForPhase(page, 'recording', 15_000);
    microphone.liveWhileRecording = await probes.liveMicrophoneTracks();
    await page.waitForTimeout(holdMs[key]);
    await pressShortcut(browser);
    await waitForPhase(page, ['stopping', 'transcribing', 'thinking', 'speaking', 'idle'], 15_000);
    await waitForPhase(page, 'idle', 120_000);
    microphone.liveBetweenTurns = await probes.liveMicrophoneTracks();
    // The panel goes idle as the voice ends; the reply's last write may land just after.
    const fresh = await waitForDb(
      page,
      (db) => {
        const made = db.messages.filter((m) => !before.has(m.id));
        return made.some((m) => UNFINISHED_STATUSES.includes(m.status)) ? undefined : made;
      },
      10_000,
    ).catch(() => undefined);
    if (!fresh) return outcome(false, false, 'a message of the turn stayed unfinished');
    const learner = fresh.find((m) => m.role === 'user');
    const reply = fresh.find((m) => m.role === 'assistant');
    if (learner?.status !== 'done' || !learner.text.trim()) {
      return outcome(false, false, `the learner turn was not transcribed (${learner?.status ?? 'no message'})`);
    }
    if (reply?.status !== 'done') return outcome(false, false, `the reply is ${reply?.status ?? 'missing'}`);
    return outcome(true, learner.text.trim() !== SENTENCES[key]);
  } catch (error) {
    // Whatever the microphone is doing after a failed turn is still worth knowing.
    if (microphone.liveBetweenTurns < 0) {
      microphone.liveBetweenTurns = await probes.liveMicrophoneTracks().catch(() => -1);
    }
    return outcome(false, false, error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
}
