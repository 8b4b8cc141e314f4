/**
 * npm run bench:companion [-- --engine espeak|coqui] — how fast the companion speaks.
 *
 * espeak (default): time to first byte and real-time factor (synthesis time / audio length) for a short and a
 * long sentence, cache-hit latency, throughput with 8 concurrent clients, and the first request after a fresh
 * start against later ones. coqui: the seed's two voices — Tacotron2-DCA with its multiband-MelGAN vocoder, and
 * VITS as in Jenny — as full-size models with random weights (companion-server/test/real-coqui/make_models.py;
 * nothing can be downloaded here), loaded by name by the real coqui-tts from `npm run setup:coqui`: per sentence
 * time to first byte and real-time factor, first request after start against later ones. The weights are random,
 * so the voices are noise and only the speed is real. The companion runs in this process on a free loopback
 * port; the clients speak real HTTP to it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeWav } from '../companion-server/src/audio.ts';
import type { EngineName } from '../companion-server/src/config.ts';
import { defaultCoquiPython } from '../companion-server/src/python-env.ts';
import { CoquiEngine } from '../companion-server/src/engines/coqui.ts';
import { startCompanion, type CompanionHandle, type StartOptions } from '../companion-server/src/server.ts';
import { randomModelsHome } from '../companion-server/test/real-coqui/models.ts';

const SHORT = 'How was your weekend?';
const LONG =
  'Yesterday my friend and I walked all the way to the old market by the river, where we bought fresh bread, ' +
  'talked with the friendly baker for a while, and then sat in the sun until it was time to go home.';
const RUNS = 5;
const CLIENTS = 8;
const REQUESTS_PER_CLIENT = 4;
const CACHE_HITS = 30;
/** Fresh starts measured for "first request after start". */
const COLD_STARTS = 5;
/** Typical teacher sentences, about 2–3 s of speech each. */
const TEACHER_SENTENCES = [
  'That sounds like a lovely weekend.',
  'What did you enjoy most about the trip?',
  'Try saying it again, a little more slowly.',
  'Your pronunciation of that word was very clear.',
  "Let's practise a few more questions together.",
];
/** The seed's figures for its two Coqui voices, to set the measured speed beside. */
const SEED_VOICES = [
  { model: 'tts_models/en/ljspeech/tacotron2-DCA', label: 'Tacotron2-DCA + multiband-MelGAN', seed: '≈1 s/sentence' },
  { model: 'tts_models/en/jenny/jenny', label: 'VITS, Jenny-like (48 kHz)', seed: '≈10 s/sentence' },
];

interface Timed {
  ttfbMs: number;
  totalMs: number;
  audioSeconds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timedSpeech(url: string, input: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input, response_format: 'wav' }),
  });
  if (!response.ok || !response.body) throw new Error(`speech failed: ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let ttfbMs = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (chunks.length === 0) ttfbMs = performance.now() - started;
    chunks.push(Buffer.from(value));
  }
  const totalMs = performance.now() - started;
  const { sampleRate, pcm } = decodeWav(Buffer.concat(chunks));
  return { ttfbMs, totalMs, audioSeconds: pcm.length / 2 / sampleRate };
}

/** Distinct texts, so that nothing is answered from a cache that is meant to be measured cold. */
function variant(text: string, index: number): string {
  return `${text.replace(/[.?!]$/, '')}, number ${index + 1}.`;
}

async function measureSentence(url: string, text: string): Promise<{ ttfb: number; rtf: number; seconds: number }> {
  const runs: Timed[] = [];
  await timedSpeech(url, variant(text, 999));
  for (let i = 0; i < RUNS; i++) runs.push(await timedSpeech(url, variant(text, i)));
  return {
    ttfb: median(runs.map((run) => run.ttfbMs)),
    rtf: median(runs.map((run) => run.totalMs / 1000 / run.audioSeconds)),
    seconds: median(runs.map((run) => run.audioSeconds)),
  };
}

async function measureCacheHits(url: string): Promise<{ median: number; p95: number }> {
  await timedSpeech(url, SHORT);
  // The entry is written when the first response completes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const times: number[] = [];
  for (let i = 0; i < CACHE_HITS; i++) times.push((await timedSpeech(url, SHORT)).totalMs);
  return { median: median(times), p95: percentile(times, 95) };
}

async function measureThroughput(
  url: string,
): Promise<{ requestsPerSecond: number; audioPerSecond: number; latency: number }> {
  const latencies: number[] = [];
  let audio = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const result = await timedSpeech(url, variant(SHORT, 100 + client * REQUESTS_PER_CLIENT + i));
        latencies.push(result.totalMs);
        audio += result.audioSeconds;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requestsPerSecond: latencies.length / seconds, audioPerSecond: audio / seconds, latency: median(latencies) };
}

function coquiAvailable(python: string): boolean {
  const probe = spawnSync(
    python,
    ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("TTS") else 1)'],
    {
      stdio: 'ignore',
    },
  );
  return probe.status === 0;
}

async function withCompanion<T>(options: StartOptions, use: (companion: CompanionHandle) => Promise<T>): Promise<T> {
  const companion = await startCompanion({ port: 0, log: () => {}, ...options });
  try {
    await companion.ready;
    return await use(companion);
  } finally {
    await companion.close();
  }
}

interface Row {
  engine: string;
  ttfbShort: number;
  rtfShort: number;
  ttfbLong: number;
  rtfLong: number;
  longSeconds: number;
  cacheMedian: number;
  cacheP95: number;
  requestsPerSecond: number;
  audioPerSecond: number;
  latency: number;
}

async function benchEngine(engine: EngineName, extra: StartOptions, cacheDir: string): Promise<Row> {
  const cold = await withCompanion({ engine, cacheMaxMb: 0, ...extra }, async (companion) => ({
    short: await measureSentence(companion.url, SHORT),
    long: await measureSentence(companion.url, LONG),
    throughput: await measureThroughput(companion.url),
  }));
  const cache = await withCompanion({ engine, cacheDir, cacheMaxMb: 64, ...extra }, (companion) =>
    measureCacheHits(companion.url),
  );
  return {
    engine: extra.model ? `${engine} (${extra.model})` : engine,
    ttfbShort: cold.short.ttfb,
    rtfShort: cold.short.rtf,
    ttfbLong: cold.long.ttfb,
    rtfLong: cold.long.rtf,
    longSeconds: cold.long.seconds,
    cacheMedian: cache.median,
    cacheP95: cache.p95,
    requestsPerSecond: cold.throughput.requestsPerSecond,
    audioPerSecond: cold.throughput.audioPerSecond,
    latency: cold.throughput.latency,
  };
}

function printTable(rows: Row[]): void {
  const header = [
    'engine',
    'TTFB short',
    'RTF short',
    'TTFB long',
    'RTF long',
    'cache hit (median / p95)',
    `${CLIENTS} clients: req/s`,
    'audio s per s',
    'median latency',
  ];
  const lines = rows.map((row) => [
    row.engine,
    `${row.ttfbShort.toFixed(0)} ms`,
    row.rtfShort.toFixed(3),
    `${row.ttfbLong.toFixed(0)} ms`,
    row.rtfLong.toFixed(3),
    `${row.cacheMedian.toFixed(1)} / ${row.cacheP95.toFixed(1)} ms`,
    row.requestsPerSecond.toFixed(1),
    row.audioPerSecond.toFixed(1),
    `${row.latency.toFixed(0)} ms`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.info(format(header));
  console.info(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const line of lines) console.info(format(line));
}

interface ColdRow {
  engine: string;
  firstTtfb: number;
  laterTtfb: number;
}

/** The first request after `ready` against later ones, over fresh starts: what a learner's first turn meets. */
async function measureColdStart(engine: string, options: StartOptions, starts: number, text: string): Promise<ColdRow> {
  const first: number[] = [];
  const later: number[] = [];
  for (let start = 0; start < starts; start++) {
    await withCompanion({ cacheMaxMb: 0, ...options }, async (companion) => {
      first.push((await timedSpeech(companion.url, variant(text, 500 + start))).ttfbMs);
      for (let i = 0; i < 3; i++)
        later.push((await timedSpeech(companion.url, variant(text, 600 + start * 3 + i))).ttfbMs);
    });
  }
  return { engine, firstTtfb: median(first), laterTtfb: median(later) };
}

function printColdRows(rows: ColdRow[]): void {
  console.info('\nFirst request after start (the companion warms its engine before it says ready), TTFB medians:');
  console.info('| engine | first request after ready | later requests | difference |');
  console.info('|---|---|---|---|');
  for (const row of rows) {
    console.info(
      `| ${row.engine} | ${row.firstTtfb.toFixed(0)} ms | ${row.laterTtfb.toFixed(0)} ms | ${(row.firstTtfb - row.laterTtfb).toFixed(0)} ms |`,
    );
  }
}

/** CPU seconds a process has used, all threads (Linux /proc; clock ticks are 1/100 s there). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface SentenceRow {
  label: string;
  cpuPerSentence: number;
  seed: string;
  loadSeconds: number;
  firstTtfb: number;
  ttfb: number;
  rtf: number;
  audioSeconds: number;
}

async function benchCoquiVoice(
  python: string,
  home: string,
  voice: (typeof SEED_VOICES)[number],
): Promise<SentenceRow> {
  const started = performance.now();
  return withCompanion(
    { engine: 'coqui', model: voice.model, python, cacheMaxMb: 0, timeoutMs: 600_000, env: { TTS_HOME: home } },
    async (companion) => {
      const loadSeconds = (performance.now() - started) / 1000;
      const first = await timedSpeech(companion.url, variant(TEACHER_SENTENCES[0]!, 900));
      const runs: Timed[] = [];
      const pid = companion.engine instanceof CoquiEngine ? companion.engine.workerPid : undefined;
      const cpuBefore = cpuSeconds(pid);
      for (const sentence of TEACHER_SENTENCES) runs.push(await timedSpeech(companion.url, sentence));
      const cpuPerSentence = (cpuSeconds(pid) - cpuBefore) / TEACHER_SENTENCES.length;
      return {
        label: voice.label,
        cpuPerSentence,
        seed: voice.seed,
        loadSeconds,
        firstTtfb: first.ttfbMs,
        ttfb: median(runs.map((run) => run.ttfbMs)),
        rtf: median(runs.map((run) => run.totalMs / 1000 / run.audioSeconds)),
        audioSeconds: median(runs.map((run) => run.audioSeconds)),
      };
    },
  );
}

function printSentenceRows(rows: SentenceRow[]): void {
  console.info('\nCoqui voices, full-size models with RANDOM weights (the audio is noise; only the speed is real):');
  console.info(
    '| voice | seed | per sentence (TTFB, median) | RTF (median) | worker CPU per sentence | audio per sentence | first request after ready | start to ready |',
  );
  console.info('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    console.info(
      `| ${row.label} | ${row.seed} | ${(row.ttfb / 1000).toFixed(2)} s | ${row.rtf.toFixed(2)} | ${row.cpuPerSentence.toFixed(2)} s | ${row.audioSeconds.toFixed(1)} s | ` +
        `${(row.firstTtfb / 1000).toFixed(2)} s | ${row.loadSeconds.toFixed(0)} s |`,
    );
  }
}

async function benchCoqui(): Promise<void> {
  const python = defaultCoquiPython();
  if (!coquiAvailable(python)) {
    throw new Error(`${python} has no coqui-tts: run npm run setup:coqui first`);
  }
  console.info("Building (or reusing) full-size random models of the seed's two voices…");
  const home = await randomModelsHome(python, 'full');
  const rows: SentenceRow[] = [];
  for (const voice of SEED_VOICES) rows.push(await benchCoquiVoice(python, home, voice));
  console.info(
    `Sentences: ${TEACHER_SENTENCES.length} teacher sentences of ${TEACHER_SENTENCES.map((s) => s.split(' ').length).join(', ')} words`,
  );
  printSentenceRows(rows);
  console.info(
    `Load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} cores`,
  );
}

async function benchEspeak(): Promise<void> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-bench-companion-'));
  try {
    console.info(
      `Short: "${SHORT}" (${SHORT.split(' ').length} words); long: ${LONG.split(' ').length} words; medians of ${RUNS} runs`,
    );
    const row = await benchEngine('espeak', {}, path.join(cacheDir, 'espeak'));
    console.info(`Long sentence audio: ${row.engine} ${row.longSeconds.toFixed(1)} s`);
    printTable([row]);
    printColdRows([await measureColdStart('espeak', { engine: 'espeak' }, COLD_STARTS, SHORT)]);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { engine: { type: 'string', default: 'espeak' } } });
  console.info(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.availableParallelism()}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (values.engine === 'espeak') await benchEspeak();
  else if (values.engine === 'coqui') await benchCoqui();
  else throw new Error(`--engine must be espeak or coqui, got "${values.engine}"`);
}

main().catch((error: unknown) => {
  console.error(`bench:companion failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
