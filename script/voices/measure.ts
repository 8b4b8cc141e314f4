import { readFile, readdir } from 'node:fs/promises';
import { decodeWav } from '../../companion-server/src/audio.ts';
import { splitSentences } from '../../common/sentence-splitter.ts';
import { startCompanionProcess, type CompanionProcess } from '../bench/companion-process.ts';
import type { Recogniser, Transcript } from '../recogniser/recogniser.ts';
import type { VoiceSpec } from './engines.ts';
import { corpusWer, wordErrors, type WordErrors } from './wer.ts';

/** What "Listen slowly" asks the companion for (features/listening/read-out.ts, SLOW). */
export const LISTEN_SLOWLY_SPEED = 0.75;
/** How long a neural voice may take to load (Kokoro's model is 92 MB) before the companion says it is ready. */
const READY_TIMEOUT_MS = 180_000;

export interface Spoken {
  text: string;
  wav: Buffer;
  /** Request sent → first body byte (the companion answers once the first sentence is synthesised). */
  ttfbMs: number;
  /** Request sent → last byte. */
  totalMs: number;
  audioSeconds: number;
}

/** One POST /v1/audio/speech as the offscreen player makes it, timed. */
export async function speak(
  url: string,
  text: string,
  options: { voice?: string; speed?: number } = {},
): Promise<Spoken> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input: text, voice: options.voice, speed: options.speed ?? 1, response_format: 'wav' }),
  });
  if (!response.ok || !response.body)
    throw new Error(`the companion refused "${text}": ${response.status} ${await response.text()}`);
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
  const wav = Buffer.concat(chunks);
  const { sampleRate, pcm } = decodeWav(wav);
  return { text, wav, ttfbMs, totalMs, audioSeconds: pcm.length / 2 / sampleRate };
}

interface HealthBody {
  ready?: boolean;
  message?: string | null;
  naturalVoice?: { state: string; voice: string; engine: string; message: string | null };
}

/**
 * Waits until the companion can speak `spec`'s voice: /health ready and, for a neural voice, its naturalVoice
 * ready and the voice listed at GET /voices under its engine (so eSpeak standing in never passes for it).
 */
export async function waitForVoice(url: string, spec: VoiceSpec): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as HealthBody;
    const natural = health.naturalVoice;
    if (natural?.state === 'failed')
      throw new Error(`${spec.label} failed to load: ${natural.message ?? 'no message'}`);
    // 'off': an eSpeak-only companion, which will never have the neural voice; the voice list below says so.
    const noNatural = natural === undefined || natural.state === 'off';
    if (health.ready && (!spec.neural || natural?.state === 'ready' || noNatural)) break;
    last = JSON.stringify(natural ?? health.message);
    if (Date.now() > deadline)
      throw new Error(`${spec.label} was not ready after ${READY_TIMEOUT_MS / 1000} s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!spec.voice) return;
  const { voices } = (await (await fetch(`${url}/voices`)).json()) as { voices: { id: string; engine?: string }[] };
  const listed = voices.find((voice) => voice.id === spec.voice);
  if (!listed || listed.engine !== spec.engine) {
    throw new Error(
      `the companion does not list ${spec.voice} as a ${spec.engine} voice (GET /voices: ${voices.map((v) => `${v.id}/${v.engine}`).join(', ')})`,
    );
  }
}

/** The resident memory of a process and all its descendants, in bytes (Linux /proc). */
export async function treeRssBytes(pid: number): Promise<number> {
  let total = 0;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  if (rss) total += Number(rss[1]) * 1024;
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const children = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of children.split(/\s+/).filter(Boolean)) total += await treeRssBytes(Number(child));
  }
  return total;
}

export interface SentenceResult {
  text: string;
  errors: WordErrors;
  heard: string;
  spoken: Spoken;
  /** Time to first byte of the sentence's first clause sent alone, as the panel sends it. */
  firstClauseMs: number;
}

export interface SlowResult {
  text: string;
  normalSeconds: number;
  slowSeconds: number;
  errors: WordErrors;
  heard: string;
}

export interface VoiceRun {
  spec: VoiceSpec;
  sentences: SentenceResult[];
  wer: number;
  slow: SlowResult[];
  /** Slow audio over normal audio, summed over the slow sentences. */
  slowRatio: number;
  slowWer: number;
  /** Sum of synthesis time over sum of audio length, at speed 1. */
  rtf: number;
  firstClauseMedianMs: number;
  /** The companion's process tree after speaking everything (tsx's launcher and the server). */
  rssBytes: number;
  /** Recogniser decoding time over audio length, for the record. */
  recogniserRtf: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Starts a companion for `spec`, speaks `sentences` (each whole, then its first clause alone, timed) and
 * `slowSentences` at speed 1 and Listen slowly's speed, then, with the companion idle so it does not share the CPU,
 * has the recogniser transcribe everything.
 */
export async function runVoice(
  spec: VoiceSpec,
  recogniser: Recogniser,
  sentences: readonly string[],
  slowSentences: readonly string[],
  log: (line: string) => void = () => {},
): Promise<VoiceRun> {
  const companion: CompanionProcess = await startCompanionProcess(spec.engine, log, spec.args);
  let spoken: Spoken[];
  let firstClause: number[];
  let slowPairs: { normal: Spoken; slow: Spoken }[];
  let rssBytes: number;
  try {
    await waitForVoice(companion.url, spec);
    // One sentence first, so the first measured one does not pay for anything loaded on first use.
    await speak(companion.url, 'Warming up.', { voice: spec.voice });
    spoken = [];
    firstClause = [];
    for (const text of sentences) {
      spoken.push(await speak(companion.url, text, { voice: spec.voice }));
      const clause = splitSentences(text)[0] ?? text;
      firstClause.push((await speak(companion.url, clause, { voice: spec.voice })).ttfbMs);
    }
    slowPairs = [];
    for (const text of slowSentences) {
      slowPairs.push({
        normal: await speak(companion.url, text, { voice: spec.voice }),
        slow: await speak(companion.url, text, { voice: spec.voice, speed: LISTEN_SLOWLY_SPEED }),
      });
    }
    rssBytes = companion.pid ? await treeRssBytes(companion.pid) : Number.NaN;
  } finally {
    await companion.close();
  }

  const heard: Transcript[] = [];
  for (const item of spoken) heard.push(await recogniser.transcribe(item.wav));
  const results: SentenceResult[] = spoken.map((item, i) => ({
    text: item.text,
    spoken: item,
    heard: heard[i]!.text,
    errors: wordErrors(item.text, heard[i]!.text),
    firstClauseMs: firstClause[i]!,
  }));
  const slow: SlowResult[] = [];
  for (const pair of slowPairs) {
    const transcript = await recogniser.transcribe(pair.slow.wav);
    heard.push(transcript);
    slow.push({
      text: pair.normal.text,
      normalSeconds: pair.normal.audioSeconds,
      slowSeconds: pair.slow.audioSeconds,
      heard: transcript.text,
      errors: wordErrors(pair.normal.text, transcript.text),
    });
  }
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    spec,
    sentences: results,
    wer: corpusWer(results.map((r) => r.errors)),
    slow,
    slowRatio: sum(slow.map((s) => s.slowSeconds)) / sum(slow.map((s) => s.normalSeconds)),
    slowWer: corpusWer(slow.map((s) => s.errors)),
    rtf: sum(spoken.map((s) => s.totalMs / 1000)) / sum(spoken.map((s) => s.audioSeconds)),
    firstClauseMedianMs: median(firstClause),
    rssBytes,
    recogniserRtf: sum(heard.map((t) => t.seconds)) / sum(heard.map((t) => t.audioSeconds)),
  };
}
