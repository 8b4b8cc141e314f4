/**
 * npm run bench:companion — how fast the companion speaks, per engine available on this machine.
 *
 * For each engine: time to first byte and real-time factor (synthesis time / audio length) for a short and a
 * long sentence, cache-hit latency, and throughput with 8 concurrent clients. The companion runs in this
 * process on a free loopback port; the clients speak real HTTP to it. Coqui is measured only when the Python
 * found by AITALK_PYTHON (or python3) has coqui-tts; its model comes from AITALK_BENCH_COQUI_MODEL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeWav } from '../companion-server/src/audio.ts';
import type { EngineName } from '../companion-server/src/config.ts';
import { startCompanion, type CompanionHandle, type StartOptions } from '../companion-server/src/server.ts';

const SHORT = 'How was your weekend?';
const LONG =
  'Yesterday my friend and I walked all the way to the old market by the river, where we bought fresh bread, ' +
  'talked with the friendly baker for a while, and then sat in the sun until it was time to go home.';
const RUNS = 5;
const CLIENTS = 8;
const REQUESTS_PER_CLIENT = 4;
const CACHE_HITS = 30;

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

async function measureThroughput(url: string): Promise<{ requestsPerSecond: number; audioPerSecond: number; latency: number }> {
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
  const probe = spawnSync(python, ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("TTS") else 1)'], {
    stdio: 'ignore',
  });
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

async function main(): Promise<void> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-bench-companion-'));
  const rows: Row[] = [];
  try {
    console.info(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.availableParallelism()}, Node ${process.version}`);
    console.info(`Short: "${SHORT}" (${SHORT.split(' ').length} words); long: ${LONG.split(' ').length} words; medians of ${RUNS} runs`);
    rows.push(await benchEngine('espeak', {}, path.join(cacheDir, 'espeak')));

    const python = process.env.AITALK_PYTHON || 'python3';
    if (coquiAvailable(python)) {
      const model = process.env.AITALK_BENCH_COQUI_MODEL || 'tts_models/en/ljspeech/tacotron2-DCA';
      rows.push(await benchEngine('coqui', { model, python, timeoutMs: 600_000 }, path.join(cacheDir, 'coqui')));
    } else {
      console.info(`coqui: skipped (${python} has no coqui-tts; pip install coqui-tts to measure it)`);
    }
    console.info(`Long sentence audio: ${rows.map((row) => `${row.engine} ${row.longSeconds.toFixed(1)} s`).join(', ')}`);
    printTable(rows);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:companion failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
