/**
 * Can a learner understand each voice? Every voice speaks the 30 teacher sentences through a companion started as
 * its own process (as `npm run bench:voices` does), and Whisper tiny.en writes down what it heard. A neural voice
 * must be heard with at most 5 % word errors; "Listen slowly" must be at least 20 % longer and still be heard.
 * Needs `npm run setup:recogniser` and, for the neural voices, `npm run setup:voices`: without them the test fails
 * and names the command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecogniser, type Recogniser } from '../recogniser/recogniser.ts';
import { ESPEAK, NEURAL_VOICES, missingFiles, specFor, voicePackagesDir, type VoiceSpec } from './engines.ts';
import { runVoice, type VoiceRun } from './measure.ts';
import { SLOW_SENTENCES, TEACHER_SENTENCES } from './sentences.ts';

/** The issue's bar for a natural voice. */
const NEURAL_MAX_WER = 0.05;
/**
 * eSpeak is the robotic fallback, not held to the neural bar: 5.4 % measured here, 5.8 % slowly (npm run
 * bench:voices). Its bound catches a broken pipeline (companion, WAV, recogniser, normaliser) and a fallback that
 * became much harder to follow.
 */
const ESPEAK_MAX_WER = 0.1;
const MIN_SLOW_RATIO = 1.2;
/** Kokoro speaks at about 0.8× real time on two cores: 30 sentences, their first clauses and the slow ones. */
const PER_VOICE_TIMEOUT_MS = 600_000;

interface Case {
  label: string;
  maxWer: number;
  /** The voice to run, or why it cannot run here (the setup command to fix that). */
  spec: VoiceSpec | Error;
}

function cases(): Case[] {
  const dir = voicePackagesDir();
  const list: Case[] = [{ label: ESPEAK.label, maxWer: ESPEAK_MAX_WER, spec: ESPEAK }];
  // Each neural voice is started with `--engine piper|kokoro --voice-file <voice packages>/…` (script/voices/engines.ts).
  for (const voice of NEURAL_VOICES.filter((v) => v.inTest)) {
    const missing = missingFiles(voice, dir);
    list.push({
      label: voice.label,
      maxWer: NEURAL_MAX_WER,
      spec: missing.length
        ? new Error(`${voice.label} is not installed (missing ${missing.join(', ')}): run npm run setup:voices`)
        : specFor(voice, dir),
    });
  }
  return list;
}

function misheard(run: VoiceRun): string {
  return run.sentences
    .filter((s) => s.errors.errors > 0)
    .map((s) => `  "${s.text}" → "${s.heard}"`)
    .join('\n');
}

describe('voice clarity, heard by Whisper tiny.en', () => {
  let recogniser: Recogniser;
  beforeAll(async () => {
    // Fails with "run npm run setup:recogniser" when the environment is missing.
    recogniser = await startRecogniser();
  });
  afterAll(async () => {
    await recogniser?.close();
  });

  for (const voice of cases()) {
    it(
      `${voice.label}: the 30 teacher sentences with at most ${voice.maxWer * 100} % word errors, and Listen slowly ≥ ${MIN_SLOW_RATIO}× as long, same words`,
      async () => {
        if (voice.spec instanceof Error) throw voice.spec;
        const run = await runVoice(voice.spec, recogniser, TEACHER_SENTENCES, SLOW_SENTENCES);
        expect(run.sentences).toHaveLength(TEACHER_SENTENCES.length);
        expect(
          run.wer,
          `${voice.label}: ${(run.wer * 100).toFixed(1)} % of words misheard:\n${misheard(run)}`,
        ).toBeLessThanOrEqual(voice.maxWer);
        for (const slow of run.slow) {
          const ratio = slow.slowSeconds / slow.normalSeconds;
          expect(ratio, `"${slow.text}" slowly is only ${ratio.toFixed(2)}× as long`).toBeGreaterThanOrEqual(
            MIN_SLOW_RATIO,
          );
        }
        expect(
          run.slowWer,
          `slow speech misheard: ${run.slow.map((s) => `"${s.text}" → "${s.heard}"`).join('; ')}`,
        ).toBeLessThanOrEqual(voice.maxWer);
      },
      PER_VOICE_TIMEOUT_MS,
    );
  }
});
