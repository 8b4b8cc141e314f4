/**
 * npm run bench:pronunciation — calibrates the pronunciation judge (offscreen/pronunciation/judge.ts) on
 * generated speech. A voice says each of script/bench/pronunciation-sentences.ts' 60 sentences as written and
 * with one word swapped for its minimal-pair partner; the judge hears both against the text as written.
 * Printed, for each setting of the thresholds tried: how often the swapped word is flagged (not 'good'), how
 * often a correctly said word is (every word of the as-written recordings, and the other words of the swapped
 * ones), and the time to judge one recording. The setting chosen is the one flagging the most swapped words
 * with at most 5 % of correct words flagged.
 *
 *   --voices espeak,piper   which voices (default: eSpeak, and Piper's joe when npm run setup:voices put it here)
 *   --out DIR               keep the recordings there (default: a temporary folder)
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { PronunciationJudgement } from '../core/pronunciation.ts';
import {
  DEFAULT_THRESHOLDS,
  loadJudge,
  type JudgeThresholds,
  type PronunciationJudge,
} from '../offscreen/pronunciation/judge.ts';
import { startCompanionProcess } from './bench/companion-process.ts';
import { PAIR_SENTENCES, swapIndex, swapped } from './bench/pronunciation-sentences.ts';
import { makeSpeechWav } from './lib/speech-wav.ts';
import { run } from './lib/run.ts';
import { readPcm16 } from './lib/wav.ts';
import { voicePackagesDir } from './voices/engines.ts';
import { speak, waitForVoice } from './voices/measure.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MODEL_BASE = path.join(ROOT, 'node_modules/soundswallower/model/');

const PIPER_VOICE = 'piper/en_US-joe-medium.onnx';

/** A recording a real microphone would give: some quiet before and after the voice. */
const LEAD_MS = 300;

interface Recording {
  voice: string;
  sentence: number;
  swapped: boolean;
  pcm: Float32Array;
}

async function wavToPcm16k(wav: string): Promise<Float32Array> {
  const resampled = `${wav}.16k.wav`;
  await run('sox', ['-D', wav, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', resampled]);
  const { samples } = readPcm16(await readFile(resampled));
  return Float32Array.from(samples, (s) => s / 32768);
}

async function espeakRecordings(dir: string): Promise<Recording[]> {
  const recordings: Recording[] = [];
  for (const [i, sentence] of PAIR_SENTENCES.entries()) {
    for (const swap of [false, true]) {
      const file = path.join(dir, `espeak-${i}-${swap ? 'swapped' : 'written'}.wav`);
      if (!existsSync(file)) {
        await makeSpeechWav(
          [{ silenceMs: LEAD_MS }, swap ? swapped(sentence) : sentence.text, { silenceMs: LEAD_MS }],
          file,
          { sampleRate: 16_000 },
        );
      }
      recordings.push({ voice: 'espeak en-us', sentence: i, swapped: swap, pcm: await wavToPcm16k(file) });
    }
  }
  return recordings;
}

async function piperRecordings(dir: string, voiceFile: string): Promise<Recording[]> {
  const companion = await startCompanionProcess('piper', () => {}, ['--voice-file', voiceFile]);
  try {
    await waitForVoice(companion.url, {
      label: 'piper',
      engine: 'piper',
      voice: 'en_US-joe-medium',
      args: [],
      neural: true,
    });
    const recordings: Recording[] = [];
    for (const [i, sentence] of PAIR_SENTENCES.entries()) {
      for (const swap of [false, true]) {
        const file = path.join(dir, `piper-${i}-${swap ? 'swapped' : 'written'}.wav`);
        if (!existsSync(file)) {
          const spoken = await speak(companion.url, swap ? swapped(sentence) : sentence.text);
          const raw = `${file}.raw.wav`;
          await writeFile(raw, spoken.wav);
          await run('sox', ['-D', raw, file, 'pad', String(LEAD_MS / 1000), String(LEAD_MS / 1000)]);
        }
        recordings.push({ voice: 'piper joe', sentence: i, swapped: swap, pcm: await wavToPcm16k(file) });
      }
    }
    return recordings;
  } finally {
    await companion.close();
  }
}

export interface Tally {
  /** Swapped words flagged / swapped recordings judged. */
  swapFlagged: number;
  swapTotal: number;
  /** Correctly said words flagged / correctly said words judged. */
  correctFlagged: number;
  correctTotal: number;
  /** Recordings refused instead of judged. */
  refused: number;
  timesMs: number[];
}

function tally(judge: PronunciationJudge, recordings: readonly Recording[], thresholds: JudgeThresholds): Tally {
  const t: Tally = { swapFlagged: 0, swapTotal: 0, correctFlagged: 0, correctTotal: 0, refused: 0, timesMs: [] };
  for (const recording of recordings) {
    const sentence = PAIR_SENTENCES[recording.sentence]!;
    const started = performance.now();
    const result: PronunciationJudgement = judge.judge(recording.pcm, sentence.text, thresholds);
    t.timesMs.push(performance.now() - started);
    if (result.kind === 'refused') {
      t.refused++;
      continue;
    }
    const target = swapIndex(sentence);
    result.words.forEach((word, i) => {
      if (word.verdict === 'unknown') return;
      const flagged = word.verdict !== 'good';
      if (recording.swapped && i === target) {
        t.swapTotal++;
        if (flagged) t.swapFlagged++;
      } else {
        t.correctTotal++;
        if (flagged) t.correctFlagged++;
      }
    });
  }
  return t;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const pct = (n: number, d: number) => (d === 0 ? '  –  ' : `${((100 * n) / d).toFixed(1).padStart(5)} %`);

function grid(): JudgeThresholds[] {
  const settings: JudgeThresholds[] = [];
  for (const substituted of [1e5, 1e6, 1e7, 1e8, 1e10])
    for (const dropped of [1e30, 1e40]) settings.push({ substituted, dropped, sibilantDb: -22 });
  settings.push({ substituted: 1e7, dropped: 1e30, sibilantDb: -18 });
  return settings;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { voices: { type: 'string' }, out: { type: 'string' } } });
  const dir = values.out ? path.resolve(values.out) : await mkdtemp(path.join(os.tmpdir(), 'aitalk-pron-'));
  await mkdir(dir, { recursive: true });
  const piperFile = path.join(voicePackagesDir(), PIPER_VOICE);
  const wanted = values.voices?.split(',') ?? ['espeak', ...(existsSync(piperFile) ? ['piper'] : [])];
  try {
    const loadStarted = performance.now();
    const judge = await loadJudge(MODEL_BASE);
    const loadMs = performance.now() - loadStarted;
    const recordings: Recording[] = [];
    if (wanted.includes('espeak')) recordings.push(...(await espeakRecordings(dir)));
    if (wanted.includes('piper')) recordings.push(...(await piperRecordings(dir, piperFile)));
    const voices = [...new Set(recordings.map((r) => r.voice))];
    console.info(`${PAIR_SENTENCES.length} sentences × (as written, swapped) × ${voices.join(', ')}`);
    console.info(`model loaded in ${loadMs.toFixed(0)} ms (first load, Node)\n`);

    console.info(
      'substituted dropped sibilant dB | swapped word flagged | correct words flagged | refused | median ms',
    );
    let best: { thresholds: JudgeThresholds; t: Tally } | undefined;
    for (const thresholds of grid()) {
      const t = tally(judge, recordings, thresholds);
      console.info(
        `${thresholds.substituted.toExponential(0).padStart(11)} ${thresholds.dropped.toExponential(0).padStart(7)} ` +
          `${String(thresholds.sibilantDb).padStart(11)} | ` +
          `${pct(t.swapFlagged, t.swapTotal).padStart(20)} | ${pct(t.correctFlagged, t.correctTotal).padStart(21)} | ` +
          `${String(t.refused).padStart(7)} | ${percentile(t.timesMs, 50).toFixed(0).padStart(9)}`,
      );
      const within = t.correctFlagged / t.correctTotal <= 0.05;
      const rate = t.swapFlagged / t.swapTotal;
      if (within && (!best || rate > best.t.swapFlagged / best.t.swapTotal)) best = { thresholds, t };
    }
    const chosen = best?.thresholds ?? DEFAULT_THRESHOLDS;
    console.info(
      `\nchosen: ${JSON.stringify(chosen)}${best ? '' : ' (none kept correct words within 5 %; the defaults)'}`,
    );
    for (const voice of voices) {
      const t = tally(
        judge,
        recordings.filter((r) => r.voice === voice),
        chosen,
      );
      console.info(
        `${voice}: swapped word flagged ${pct(t.swapFlagged, t.swapTotal)} (${t.swapFlagged}/${t.swapTotal}), ` +
          `correct words flagged ${pct(t.correctFlagged, t.correctTotal)} (${t.correctFlagged}/${t.correctTotal}), ` +
          `refused ${t.refused}, judged in ${percentile(t.timesMs, 50).toFixed(0)} ms median, ` +
          `${percentile(t.timesMs, 90).toFixed(0)} ms p90`,
      );
    }
  } finally {
    if (!values.out) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
