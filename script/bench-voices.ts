/**
 * npm run bench:voices [-- --engines espeak,piper,kokoro] [--voice-packages DIR] [--samples] [--beam-size N]
 *
 * How clear and how fast each installed voice is. For every voice found (eSpeak always; Piper and Kokoro when their
 * files are in the voice store, ~/.cache/aitalk/voices, or in the voice packages from `npm run setup:voices`), a
 * companion is started as its own process, as a learner starts it, and speaks the 30 teacher sentences of
 * script/voices/sentences.ts over HTTP (wav). Whisper tiny.en (`npm run setup:recogniser`) then transcribes them,
 * with the companion stopped so the two do not share the CPU. Printed per voice:
 *   - word error rate over the 30 sentences, after script/voices/wer.ts's normaliser;
 *   - real-time factor: synthesis time (request to last byte) over audio length, all sentences together;
 *   - first clause: the median time to the first byte of each sentence's first clause sent alone, as the panel
 *     sends it (common/sentence-splitter.ts), which is what a learner waits for before the teacher speaks;
 *   - memory held: the companion's resident memory (its tsx launcher and server) after speaking everything, minus an
 *     eSpeak-only companion's after the same sentences: what choosing that voice costs on top of eSpeak;
 *   - Listen slowly: audio length at speed 0.75 over speed 1 for 5 sentences, and the word error rate at 0.75.
 * --samples writes one sentence per voice to docs/voices/<voice>.wav (mono 16-bit).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCompanionProcess } from './bench/companion-process.ts';
import { readOptions } from './lib/options.ts';
import { readPcm16, encodePcm16 } from './lib/wav.ts';
import { DEFAULT_BEAM_SIZE, startRecogniser } from './recogniser/recogniser.ts';
import { ESPEAK, installedVoices, voicePackagesDir, voiceStoreDir } from './voices/engines.ts';
import { LISTEN_SLOWLY_SPEED, runVoice, speak, treeRssBytes, waitForVoice, type VoiceRun } from './voices/measure.ts';
import { SLOW_SENTENCES, TEACHER_SENTENCES } from './voices/sentences.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Long enough to hear a voice's rhythm, short enough to keep the file small. */
const SAMPLE_SENTENCE = 'Could you tell me a little more about your family?';
const ENGINES = ['espeak', 'piper', 'kokoro'];

const USAGE = `Usage: npm run bench:voices -- [--engines ${ENGINES.join(',')}] [--voice-packages DIR] [--samples] [--beam-size N]
  --engines         which engines to measure (default: every one installed)
  --voice-packages  where npm run setup:voices put the voices (default ${voicePackagesDir()})
  --samples         write one sentence per voice to docs/voices/<voice>.wav
  --beam-size       the recogniser's beam (default ${DEFAULT_BEAM_SIZE})`;

interface Options {
  engines: string[] | undefined;
  voicePackages: string;
  samples: boolean;
  beamSize: number;
}

function parse(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      engines: { type: 'string' },
      'voice-packages': { type: 'string' },
      samples: { type: 'boolean', default: false },
      'beam-size': { type: 'string', default: String(DEFAULT_BEAM_SIZE) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const engines = values.engines?.split(',').map((name) => name.trim());
  const unknown = engines?.filter((name) => !ENGINES.includes(name)) ?? [];
  if (unknown.length) throw new Error(`--engines: unknown ${unknown.join(', ')}; choose from ${ENGINES.join(', ')}`);
  const beamSize = Number(values['beam-size']);
  if (!Number.isInteger(beamSize) || beamSize < 1 || beamSize > 10) throw new Error('--beam-size must be 1 to 10');
  return {
    engines,
    voicePackages: path.resolve(values['voice-packages'] ?? voicePackagesDir()),
    samples: values.samples,
    beamSize,
  };
}

/** eSpeak's companion after the same sentences: the memory every voice's companion holds anyway. */
async function espeakBaselineRss(): Promise<number> {
  const companion = await startCompanionProcess(ESPEAK.engine, () => {}, ESPEAK.args);
  try {
    await waitForVoice(companion.url, ESPEAK);
    for (const text of TEACHER_SENTENCES) await speak(companion.url, text);
    return companion.pid ? await treeRssBytes(companion.pid) : Number.NaN;
  } finally {
    await companion.close();
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const percent = (rate: number): string => `${(rate * 100).toFixed(1)} %`;

function table(runs: VoiceRun[], baseline: number): string {
  const header = [
    'voice',
    `WER (${TEACHER_SENTENCES.length} sentences)`,
    'real-time factor',
    'first clause (median TTFB)',
    'memory held (over eSpeak)',
    `Listen slowly (${LISTEN_SLOWLY_SPEED}): length, WER`,
  ];
  const rows = runs.map((run) => [
    run.spec.label,
    percent(run.wer),
    run.rtf.toFixed(3),
    `${run.firstClauseMedianMs.toFixed(0)} ms`,
    run.spec.neural ? `${mb(run.rssBytes)} (+${mb(run.rssBytes - baseline)})` : mb(run.rssBytes),
    `×${run.slowRatio.toFixed(2)}, ${percent(run.slowWer)}`,
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function writeSample(run: VoiceRun): Promise<string> {
  const sentence = run.sentences.find((s) => s.text === SAMPLE_SENTENCE) ?? run.sentences[0]!;
  const { rate, samples } = readPcm16(sentence.spoken.wav);
  const file = path.join(ROOT, 'docs/voices', `${run.spec.label.replace(/\s+/g, '-')}.wav`);
  await mkdir(path.dirname(file), { recursive: true });
  // Re-encoded: the companion streams its WAV with an open-ended length, which some players refuse.
  await writeFile(file, encodePcm16(samples, rate));
  return path.relative(ROOT, file);
}

async function main(): Promise<void> {
  const options = readOptions(parse, USAGE);
  if (!options) return;
  const { specs, absent } = installedVoices([voiceStoreDir(), options.voicePackages], options.engines);
  for (const reason of absent) console.info(`not measured: ${reason}`);
  const recogniser = await startRecogniser({ beamSize: options.beamSize });
  console.info(`Whisper tiny.en loaded in ${recogniser.loadSeconds.toFixed(1)} s (beam ${recogniser.beamSize})`);
  const runs: VoiceRun[] = [];
  try {
    for (const spec of specs) {
      console.info(`\n== ${spec.label}`);
      const started = Date.now();
      const run = await runVoice(spec, recogniser, TEACHER_SENTENCES, SLOW_SENTENCES);
      runs.push(run);
      for (const sentence of run.sentences.filter((s) => s.errors.errors > 0))
        console.info(`  ${sentence.errors.errors} error(s): "${sentence.text}" heard as "${sentence.heard}"`);
      for (const slow of run.slow.filter((s) => s.errors.errors > 0))
        console.info(`  slow, ${slow.errors.errors} error(s): "${slow.text}" heard as "${slow.heard}"`);
      console.info(
        `  WER ${percent(run.wer)}, RTF ${run.rtf.toFixed(3)}, recogniser RTF ${run.recogniserRtf.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
      if (options.samples) console.info(`  sample: ${await writeSample(run)}`);
    }
  } finally {
    await recogniser.close();
  }
  const espeakRun = runs.find((run) => run.spec === ESPEAK);
  const baseline = espeakRun ? espeakRun.rssBytes : await espeakBaselineRss();
  console.info(`\n${table(runs, baseline)}`);
  console.info(
    `\nWER: Whisper tiny.en (int8, beam ${options.beamSize}) on the companion's WAV, after script/voices/wer.ts's normaliser. ` +
      'Real-time factor: synthesis time / audio length. First clause: median time to the first byte of each ' +
      "sentence's first clause. Memory: resident memory of the companion's processes after speaking everything; " +
      `over eSpeak = minus an eSpeak-only companion's (${mb(baseline)}). Listen slowly: audio length at speed ` +
      `${LISTEN_SLOWLY_SPEED} over speed 1, and the WER of the slow audio, over ${SLOW_SENTENCES.length} sentences.`,
  );
}

main().catch((error: unknown) => {
  console.error(`bench:voices failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
