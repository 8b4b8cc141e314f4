/**
 * npm run bench:pronunciation — calibrates the pronunciation judge (offscreen/pronunciation/judge.ts) on
 * generated speech. A voice says each of script/bench/pronunciation-sentences.ts' 60 sentences as written and
 * with one word swapped for its minimal-pair partner; the judge hears both against the text as written.
 * Printed, for each setting of the thresholds tried: how often the swapped word is flagged (not 'good') and how
 * often a correctly said word is (every word of the as-written recordings, and the other words of the swapped
 * ones), on the even-numbered sentences (where the setting is chosen: the most swapped words flagged with at
 * most 5 % of correct words flagged) and on the odd-numbered ones (held out), then the chosen setting per voice.
 * Then the speed: the median time to judge each voice's twelve-word attempts (TWELVE_WORD_SENTENCES) from
 * 16 kHz samples, and, apart, to bring their 48 kHz recording to 16 kHz (resampleTo16k), in wall-clock and CPU
 * milliseconds (CPU time is what the judge costs when other programs share the cores; the load is printed).
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
import { PAIR_SENTENCES, swapIndex, swapped, TWELVE_WORD_SENTENCES } from './bench/pronunciation-sentences.ts';
import { resampleTo16k } from '../offscreen/pronunciation/signal.ts';
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
  /** Index into PAIR_SENTENCES, or into TWELVE_WORD_SENTENCES for the timing set. */
  sentence: number;
  swapped: boolean;
  pcm: Float32Array;
  /** The same speech at 48 kHz (the timing set only): what a microphone gives the extension. */
  pcm48k?: Float32Array;
}

async function wavToPcm(wav: string, rate = 16_000): Promise<Float32Array> {
  const resampled = `${wav}.${rate / 1000}k.wav`;
  if (!existsSync(resampled)) {
    await run('sox', ['-D', wav, '-r', String(rate), '-c', '1', '-b', '16', '-e', 'signed-integer', resampled]);
  }
  const { samples } = readPcm16(await readFile(resampled));
  return Float32Array.from(samples, (s) => s / 32768);
}

/** The pairs said as written and swapped, then the twelve-word sentences as written (swapped false). */
function scripts(): { name: string; text: string; sentence: number; swapped: boolean; timing: boolean }[] {
  return [
    ...PAIR_SENTENCES.flatMap((sentence, i) =>
      [false, true].map((swap) => ({
        name: `${i}-${swap ? 'swapped' : 'written'}`,
        text: swap ? swapped(sentence) : sentence.text,
        sentence: i,
        swapped: swap,
        timing: false,
      })),
    ),
    ...TWELVE_WORD_SENTENCES.map((text, i) => ({
      name: `twelve-${i}`,
      text,
      sentence: i,
      swapped: false,
      timing: true,
    })),
  ];
}

async function load(file: string, voice: string, item: ReturnType<typeof scripts>[number]): Promise<Recording> {
  const recording: Recording = { voice, sentence: item.sentence, swapped: item.swapped, pcm: await wavToPcm(file) };
  if (item.timing) recording.pcm48k = await wavToPcm(file, 48_000);
  return recording;
}

async function espeakRecordings(dir: string): Promise<Recording[]> {
  const recordings: Recording[] = [];
  for (const item of scripts()) {
    const file = path.join(dir, `espeak-${item.name}.wav`);
    if (!existsSync(file)) {
      await makeSpeechWav([{ silenceMs: LEAD_MS }, item.text, { silenceMs: LEAD_MS }], file, { sampleRate: 16_000 });
    }
    recordings.push(await load(file, 'espeak en-us', item));
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
    for (const item of scripts()) {
      const file = path.join(dir, `piper-${item.name}.wav`);
      if (!existsSync(file)) {
        const spoken = await speak(companion.url, item.text);
        const raw = `${file}.raw.wav`;
        await writeFile(raw, spoken.wav);
        await run('sox', ['-D', raw, file, 'pad', String(LEAD_MS / 1000), String(LEAD_MS / 1000)]);
      }
      recordings.push(await load(file, 'piper joe', item));
    }
    return recordings;
  } finally {
    await companion.close();
  }
}

/** What the judge made of one recording under one setting. */
interface Outcome {
  recording: Recording;
  refused: boolean;
  /** The swapped word was flagged (not 'good'); undefined for an as-written recording. */
  swapFlagged?: boolean;
  correctFlagged: number;
  correctTotal: number;
  ms: number;
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

function judgeAll(judge: PronunciationJudge, recordings: readonly Recording[], thresholds: JudgeThresholds): Outcome[] {
  return recordings.map((recording) => {
    const sentence = PAIR_SENTENCES[recording.sentence]!;
    const started = performance.now();
    const result: PronunciationJudgement = judge.judge(recording.pcm, sentence.text, thresholds);
    const outcome: Outcome = { recording, refused: false, correctFlagged: 0, correctTotal: 0, ms: 0 };
    outcome.ms = performance.now() - started;
    if (result.kind === 'refused') return { ...outcome, refused: true };
    const target = swapIndex(sentence);
    result.words.forEach((word, i) => {
      if (word.verdict === 'unknown') return;
      const flagged = word.verdict !== 'good';
      if (recording.swapped && i === target) {
        outcome.swapFlagged = flagged;
      } else {
        outcome.correctTotal++;
        if (flagged) outcome.correctFlagged++;
      }
    });
    return outcome;
  });
}

function tally(outcomes: readonly Outcome[]): Tally {
  const t: Tally = { swapFlagged: 0, swapTotal: 0, correctFlagged: 0, correctTotal: 0, refused: 0, timesMs: [] };
  for (const o of outcomes) {
    t.timesMs.push(o.ms);
    if (o.refused) {
      t.refused++;
      continue;
    }
    if (o.swapFlagged !== undefined) {
      t.swapTotal++;
      if (o.swapFlagged) t.swapFlagged++;
    }
    t.correctFlagged += o.correctFlagged;
    t.correctTotal += o.correctTotal;
  }
  return t;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const pct = (n: number, d: number) => (d === 0 ? '  –  ' : `${((100 * n) / d).toFixed(1).padStart(5)} %`);

/**
 * Thresholds are chosen on the even-numbered sentences only and reported on the odd-numbered ones as well:
 * figures that hold on sentences the choice never saw are not the grid fitting these sixty.
 */
const inTuningHalf = (r: Recording) => r.sentence % 2 === 0;

function line(label: string, t: Tally): string {
  return (
    `${label}: swapped word flagged ${pct(t.swapFlagged, t.swapTotal)} (${t.swapFlagged}/${t.swapTotal}), ` +
    `correct words flagged ${pct(t.correctFlagged, t.correctTotal)} (${t.correctFlagged}/${t.correctTotal}), ` +
    `refused ${t.refused}`
  );
}

function describe(thresholds: JudgeThresholds): string {
  return JSON.stringify(thresholds, (_, value: unknown) => (value === Infinity ? 'Infinity' : value));
}

/** Every weight against a variant times `factor`: the defaults made stricter (above 1) or looser. */
function scaled(factor: number): JudgeThresholds {
  const pairs = Object.fromEntries(
    Object.entries(DEFAULT_THRESHOLDS.pairs ?? {}).map(([key, weight]) => [key, weight * factor]),
  );
  return {
    ...DEFAULT_THRESHOLDS,
    substituted: DEFAULT_THRESHOLDS.substituted * factor,
    pairs,
  };
}

/**
 * The settings tried: the single weight for every substitution the judge had before per-pair weights (1e7), the
 * defaults, and the defaults ten times looser and stricter.
 */
function grid(): JudgeThresholds[] {
  return [{ substituted: 1e7, dropped: 1e30, sibilantDb: -22 }, DEFAULT_THRESHOLDS, scaled(0.1), scaled(10)];
}

/** Median wall-clock and CPU milliseconds of `work` over the items (CPU time does not grow with others' load). */
function timed<T>(items: readonly T[], work: (item: T) => unknown): { wallMs: number; cpuMs: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const item of items) {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    work(item);
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wallMs: percentile(wall, 50), cpuMs: percentile(cpu, 50) };
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
    const all: Recording[] = [];
    if (wanted.includes('espeak')) all.push(...(await espeakRecordings(dir)));
    if (wanted.includes('piper')) all.push(...(await piperRecordings(dir, piperFile)));
    const recordings = all.filter((r) => !r.pcm48k);
    const timing = all.filter((r) => r.pcm48k);
    const voices = [...new Set(recordings.map((r) => r.voice))];
    console.info(`${PAIR_SENTENCES.length} sentences × (as written, swapped) × ${voices.join(', ')}`);
    console.info(`model loaded in ${loadMs.toFixed(0)} ms (first load, Node); load average ${loadAverage()}\n`);

    console.info('setting | tuning half (even sentences): swapped flagged | correct flagged || other half: same');
    let best: { thresholds: JudgeThresholds; outcomes: Outcome[]; rate: number } | undefined;
    let defaults: Outcome[] | undefined;
    for (const thresholds of grid()) {
      const outcomes = judgeAll(judge, recordings, thresholds);
      if (thresholds === DEFAULT_THRESHOLDS) defaults = outcomes;
      const tuning = tally(outcomes.filter((o) => inTuningHalf(o.recording)));
      const held = tally(outcomes.filter((o) => !inTuningHalf(o.recording)));
      console.info(
        `${describe(thresholds)}${thresholds === DEFAULT_THRESHOLDS ? ' (DEFAULT_THRESHOLDS)' : ''}\n  ` +
          `${pct(tuning.swapFlagged, tuning.swapTotal)} | ${pct(tuning.correctFlagged, tuning.correctTotal)} || ` +
          `${pct(held.swapFlagged, held.swapTotal)} | ${pct(held.correctFlagged, held.correctTotal)}`,
      );
      const within = tuning.correctFlagged / tuning.correctTotal <= 0.05;
      const rate = tuning.swapFlagged / tuning.swapTotal;
      if (within && (!best || rate > best.rate)) best = { thresholds, outcomes, rate };
    }
    const chosen = best ?? { thresholds: DEFAULT_THRESHOLDS, outcomes: defaults! };
    console.info(
      `\nchosen on the tuning half: ${describe(chosen.thresholds)}` +
        `${best ? '' : ' (none kept correct words within 5 %; the defaults)'}` +
        `${chosen.thresholds === DEFAULT_THRESHOLDS ? ' = DEFAULT_THRESHOLDS' : ' (NOT the defaults)'}`,
    );
    const report = (label: string, outcomes: Outcome[]) => {
      console.info(line(`${label}, all sentences`, tally(outcomes)));
      console.info(line(`${label}, tuning half`, tally(outcomes.filter((o) => inTuningHalf(o.recording)))));
      console.info(line(`${label}, held-out half`, tally(outcomes.filter((o) => !inTuningHalf(o.recording)))));
    };
    for (const voice of voices)
      report(
        voice,
        chosen.outcomes.filter((o) => o.recording.voice === voice),
      );
    report('both voices', chosen.outcomes);

    console.info(`\nspeed: ${TWELVE_WORD_SENTENCES.length} twelve-word attempts per voice, said as written, median`);
    for (const voice of voices) {
      const mine = timing.filter((r) => r.voice === voice);
      const judged = timed(mine, (r) => judge.judge(r.pcm, TWELVE_WORD_SENTENCES[r.sentence]!, chosen.thresholds));
      const resampled = timed(mine, (r) => resampleTo16k(r.pcm48k!, 48_000));
      const seconds = percentile(
        mine.map((r) => r.pcm.length / 16_000),
        50,
      );
      console.info(
        `${voice}: judge from 16 kHz ${judged.wallMs.toFixed(0)} ms (${judged.cpuMs.toFixed(0)} ms CPU); ` +
          `resampling 48 → 16 kHz first ${resampled.wallMs.toFixed(1)} ms (${resampled.cpuMs.toFixed(1)} ms CPU); ` +
          `recordings ${seconds.toFixed(1)} s`,
      );
    }
    console.info(`load average after: ${loadAverage()}`);
  } finally {
    if (!values.out) await rm(dir, { recursive: true, force: true });
  }
}

function loadAverage(): string {
  return `${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
