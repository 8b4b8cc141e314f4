/**
 * npm run bench — the turn-taking benchmark (issues 4 and 10).
 *
 * Runs the real built extension in headless Chromium with a fake microphone, against the OpenAI
 * stand-in (configurable latencies, a fixed transcript for the timed turns) and the real companion
 * in its own process (cache off). Turns are driven through the keyboard shortcut — the real
 * commands.onCommand listener, dispatched in the service worker — and through the Talk button; the
 * first shortcut turn follows a fresh companion start, and a few replies open with a long sentence.
 * Prints per turn: second press → first audio and → upload, the sequential pipeline measured from
 * Node against the same servers, their ratio, the extension's own overhead over the critical path,
 * the largest gap between sentences and the first words sent to the voice; then barge-in stop
 * times, one hands-free turn, the detector in noise, and every target with its verdict. The shortcut
 * turns (fresh start included) are run again against a companion with the default neural voice
 * (Piper, from npm run setup:voices), to hold its first audio within 150 ms of eSpeak's. With --stt the
 * companion transcribes the turns (Whisper, issue 22) and the stand-in serves only chat. Exits 0
 * whenever it ran, whether or not the targets were met; 1 when the neural voice could not be measured.
 *
 *   npm run bench -- [--turns 5] [--button-turns 3] [--long-turns 3] [--transcription-ms 400] [--first-token-ms 400]
 *                    [--tokens-per-second 40] [--reply-words 100] [--engine espeak|coqui]
 *                    [--barge-ins N] [--no-neural] [--stt [--stt-model tiny.en|FOLDER]]
 *                    [--no-build | --extension DIR] [--json FILE]
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startCompanion } from '../companion-server/src/server.ts';
import { makeSilenceWav, makeSpeechWav } from './lib/speech-wav.ts';
import { LATENCY_PROFILES, startStandin, type Standin } from './openai-standin/server.ts';
import { encodePcm16, formatValue, readPcm16, trimSilence, verdict } from './bench/analysis.ts';
import { configure, launchBrowser, waitForFirstAudio, waitForPhase, type BenchBrowser } from './bench/browser.ts';
import { startCompanionProcess } from './bench/companion-process.ts';
import { sttArgs, useCompanionTranscription, waitForStt } from './bench/companion-stt.ts';
import { startNeuralVoice } from './bench/neural.ts';
import { synthesize, type SpeechTarget } from './bench/node-pipeline.ts';
import { printReport, type NeuralRun, type NoiseCheck, type TimedTurn } from './bench/report.ts';
import { startSpeechTap, type SpeechTap } from './bench/speech-tap.ts';
import {
  HANDS_FREE_FIRST,
  HANDS_FREE_PAUSE_MS,
  HANDS_FREE_SECOND,
  TIMED_SENTENCE,
  bargeIns,
  handsFreeTurn,
  timedTurn,
  type TurnPlan,
} from './bench/turns.ts';
import { compare, makeScenes } from './bench/vad-compare.ts';
import { energyDetector } from './bench/vad-detectors.ts';
import { readOptions } from './lib/options.ts';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const USAGE = `Usage: npm run bench -- [options]

  --turns N               timed shortcut turns after the first (default 5; medians are over these)
  --button-turns N        timed turns through the Talk button, for comparison (default 3)
  --long-turns N          shortcut turns whose reply opens with a long sentence (default 3)
  --transcription-ms N    stand-in transcription latency (default ${LATENCY_PROFILES.default.transcriptionMs})
  --first-token-ms N      stand-in time to the first token (default ${LATENCY_PROFILES.default.firstTokenMs})
  --tokens-per-second N   stand-in streaming rate (default ${LATENCY_PROFILES.default.tokensPerSecond})
  --reply-words N         length of the teacher's reply (default ${LATENCY_PROFILES.default.replyWords})
  --corrections-ms N      extra stand-in time before a corrections answer (default 0: as fast as any answer)
  --engine espeak|coqui   companion engine (default espeak, the embedded voice)
  --barge-ins N           extra turns interrupted 1–2 s after their first audio (default: --turns)
  --no-neural             skip the shortcut turns with the default neural voice (Piper from npm run setup:voices)
  --stt                   the companion transcribes (Whisper; npm run setup:stt first), the stand-in only chats;
                          the neural-voice turns are skipped (that companion does not transcribe)
  --stt-model M           with --stt: tiny.en or a faster-whisper folder (default: the tiny.en folder setup:stt installs)
  --no-build              use the existing build instead of building into .output/bench
  --extension DIR         use this built extension (implies --no-build)
  --json FILE             also write every measurement as JSON
`;

interface Options {
  turns: number;
  buttonTurns: number;
  longTurns: number;
  bargeIns: number;
  latency: {
    transcriptionMs: number;
    firstTokenMs: number;
    tokensPerSecond: number;
    replyWords: number;
    correctionsMs: number;
  };
  engine: 'espeak' | 'coqui';
  neural: boolean;
  /** The companion transcribes, with this model (a name or folder; undefined: the tiny.en setup:stt installs). */
  stt: { model: string | undefined } | null;
  build: boolean;
  extensionDir: string;
  json: string | undefined;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      turns: { type: 'string' },
      'button-turns': { type: 'string' },
      'long-turns': { type: 'string' },
      'barge-ins': { type: 'string' },
      'transcription-ms': { type: 'string' },
      'first-token-ms': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'reply-words': { type: 'string' },
      'corrections-ms': { type: 'string' },
      engine: { type: 'string' },
      'no-neural': { type: 'boolean' },
      stt: { type: 'boolean' },
      'stt-model': { type: 'string' },
      'no-build': { type: 'boolean' },
      extension: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const number = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${raw}"`);
    return value;
  };
  const defaults = LATENCY_PROFILES.default;
  const turns = Math.round(number('turns', values.turns, 5, 1));
  const engine = values.engine ?? 'espeak';
  if (engine !== 'espeak' && engine !== 'coqui') throw new Error(`--engine must be espeak or coqui, got "${engine}"`);
  const build = !values['no-build'] && values.extension === undefined;
  if (values['stt-model'] !== undefined && !values.stt) throw new Error('--stt-model needs --stt');
  return {
    turns,
    buttonTurns: Math.round(number('button-turns', values['button-turns'], 3, 0)),
    longTurns: Math.round(number('long-turns', values['long-turns'], 3, 0)),
    bargeIns: Math.round(number('barge-ins', values['barge-ins'], turns, 0)),
    latency: {
      transcriptionMs: number('transcription-ms', values['transcription-ms'], defaults.transcriptionMs, 0),
      firstTokenMs: number('first-token-ms', values['first-token-ms'], defaults.firstTokenMs, 0),
      tokensPerSecond: number('tokens-per-second', values['tokens-per-second'], defaults.tokensPerSecond, 0.1),
      replyWords: Math.round(number('reply-words', values['reply-words'], defaults.replyWords, 1)),
      correctionsMs: number('corrections-ms', values['corrections-ms'], 0, 0),
    },
    engine,
    neural: !values['no-neural'],
    stt: values.stt ? { model: values['stt-model'] } : null,
    build,
    extensionDir: path.resolve(
      values.extension ?? path.join(ROOT, build ? '.output/bench/chrome-mv3' : '.output/chrome-mv3'),
    ),
    json: values.json,
  };
}

// ── Setting up ───────────────────────────────────────────────────────────────────────────────

async function buildExtension(): Promise<void> {
  const started = performance.now();
  await execFileAsync(path.join(ROOT, 'node_modules/.bin/wxt'), ['build', '-c', 'script/bench/wxt.config.ts'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  console.info(`built the extension into .output/bench in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function machine(): Promise<string[]> {
  const cpus = os.cpus();
  let chromium = 'unknown';
  try {
    chromium = (await execFileAsync(CHROMIUM, ['--version'])).stdout.trim();
  } catch (error) {
    chromium = `unknown (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  return [
    `CPU       ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores`,
    `memory    ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    `OS        ${os.type()} ${os.release()} (${os.arch()})`,
    `Node      ${process.version}`,
    `Chromium  ${chromium} (headless, fake microphone)`,
  ];
}

const loadAverage = (): string =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

interface Voice {
  url: string;
  note: string;
  /** Stops the companion and starts it again (a fresh process); absent where that is not possible. */
  restart?: () => Promise<void>;
  close(): Promise<void>;
}

async function startVoice(
  engine: Options['engine'],
  log: (line: string) => void,
  stt: Options['stt'] = null,
): Promise<Voice> {
  if (stt) return startTranscribingVoice(stt, log);
  if (engine === 'coqui') {
    const coqui = await startCompanion({ port: 0, engine: 'coqui', cacheMaxMb: 0, log });
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        coqui.ready,
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('the model did not load within 5 minutes')), 300_000);
        }),
      ]).finally(() => clearTimeout(timer));
      return {
        url: coqui.url,
        note: `coqui (${coqui.config.model}), disk cache off; no fresh-start turn`,
        close: () => coqui.close(),
      };
    } catch (error) {
      await coqui.close();
      const reason = error instanceof Error ? error.message : String(error);
      console.warn(`Coqui is not available here (${reason}); measuring the embedded espeak voice instead.`);
      const companion = await startCompanionProcess('espeak', log);
      return {
        url: companion.url,
        note: `espeak (embedded) — Coqui was asked for but is not available: ${reason}`,
        restart: () => companion.restart(),
        close: () => companion.close(),
      };
    }
  }
  const companion = await startCompanionProcess('espeak', log);
  return {
    url: companion.url,
    note: 'espeak (embedded, WASM), its own process (npm run companion), disk cache off',
    restart: () => companion.restart(),
    close: () => companion.close(),
  };
}

/** eSpeak's companion with --stt: every start (the fresh-start turn's too) waits until Whisper has loaded. */
async function startTranscribingVoice(stt: NonNullable<Options['stt']>, log: (line: string) => void): Promise<Voice> {
  const args = sttArgs(stt.model);
  const companion = await startCompanionProcess('espeak', log, args);
  try {
    const loadMs = await waitForStt(companion.url);
    return {
      url: companion.url,
      note: `espeak (embedded, WASM), its own process, disk cache off; transcribing with ${args.join(' ')} (Whisper ready ${(loadMs / 1000).toFixed(1)} s after listening; each start waits for it)`,
      async restart() {
        await companion.restart();
        await waitForStt(companion.url);
      },
      close: () => companion.close(),
    };
  } catch (error) {
    await companion.close();
    throw error;
  }
}

/**
 * Like makeSpeechWav, but each spoken part is trimmed to its audible span first: espeak-ng pads an
 * utterance with ~150 ms of quiet at each end, which would turn a 400 ms pause into a 700 ms one.
 */
async function makeExactSpeechWav(
  parts: ReadonlyArray<string | { silenceMs: number }>,
  outPath: string,
): Promise<string> {
  const pieces: Int16Array[] = [];
  const rate = 48_000;
  for (const [index, part] of parts.entries()) {
    if (typeof part === 'string') {
      const piece = await makeSpeechWav([part], `${outPath}.part-${index}.wav`, { sampleRate: rate });
      const pcm = readPcm16(await readFile(piece));
      pieces.push(trimSilence(pcm.samples, pcm.rate));
      await rm(piece);
    } else {
      pieces.push(new Int16Array(Math.round((part.silenceMs / 1000) * rate)));
    }
  }
  const all = new Int16Array(pieces.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    all.set(piece, offset);
    offset += piece.length;
  }
  await writeFile(outPath, encodePcm16(all, rate));
  return outPath;
}

const ms = (value: number): string => formatValue(value, 'ms');

/** The product's detector, with its defaults, over the noisy scenes of `npm run bench:vad`. */
async function noiseCheck(dir: string): Promise<NoiseCheck> {
  const scenes = await makeScenes(dir);
  const rows = await compare(energyDetector('product', {}), scenes);
  const sentences = rows.flatMap((row) => row.sentences);
  return {
    falseStartsInNoise: rows.reduce((sum, row) => sum + row.falseStartsInNoise, 0),
    falseStartsBeforeSpeech: sentences.filter((s) => s.falseStart).length,
    cutEarly: sentences.filter((s) => s.cutEarly).length,
    notEnded: sentences.filter((s) => !Number.isFinite(s.endDelayMs)).length,
    conditions: rows.map((row) => row.condition),
  };
}

/**
 * `plans` again (relabelled N1, N2, …) against a companion with the default neural voice; the tap is pointed at
 * it for these turns only. Whatever stops it (no voice package, a load that fails) comes back as the run's error,
 * so eSpeak's figures are still reported.
 */
async function neuralTurns(
  plans: readonly TurnPlan[],
  pointTapAt: (url: string) => void,
  runTurns: (plans: readonly TurnPlan[], restart: () => Promise<void>, target: SpeechTarget) => Promise<TimedTurn[]>,
  log: (line: string) => void,
): Promise<NeuralRun> {
  let started: Awaited<ReturnType<typeof startNeuralVoice>> | undefined;
  try {
    started = await startNeuralVoice(log);
    const neural = started;
    console.info(`default neural voice: ${neural.note}`);
    pointTapAt(neural.url);
    const target: SpeechTarget = { url: neural.url, voice: '', speed: 1 };
    // As for eSpeak: the first synthesis from Node is not timed.
    await synthesize(target, 'Hello there.');
    const turns = await runTurns(
      plans.map((plan, index) => ({ ...plan, label: `N${index + 1}` })),
      () => neural.restart(),
      target,
    );
    return { note: neural.note, turns };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`the default neural voice could not be measured: ${reason}`);
    return { note: started?.note ?? 'Piper (--engine piper --voice-file …)', turns: [], error: reason };
  } finally {
    await started?.close().catch(() => undefined);
  }
}

// ── Main ─────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const options = readOptions(parseOptions, USAGE);
  if (!options) return;
  const began = performance.now();
  const loadStart = loadAverage();
  if (options.build) await buildExtension();

  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-bench-stage-'));
  const companionLog: string[] = [];
  let standin: Standin | undefined;
  let companion: Voice | undefined;
  let tap: SpeechTap | undefined;
  let browser: BenchBrowser | undefined;
  let stopping = false;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await Promise.allSettled([standin?.close(), companion?.close(), tap?.close()]);
    await rm(dir, { recursive: true, force: true });
  };
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    console.warn('interrupted: closing the browser and servers');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const mic = {
      file: path.join(dir, 'mic.wav'),
      speech: await makeSpeechWav(
        [{ silenceMs: 300 }, TIMED_SENTENCE, { silenceMs: 600 }],
        path.join(dir, 'speech.wav'),
      ),
      silence: await makeSilenceWav(3_000, path.join(dir, 'silence.wav')),
      handsFree: await makeExactSpeechWav(
        [
          { silenceMs: 500 },
          HANDS_FREE_FIRST,
          { silenceMs: HANDS_FREE_PAUSE_MS },
          HANDS_FREE_SECOND,
          { silenceMs: 3_000 },
        ],
        path.join(dir, 'hands-free.wav'),
      ),
    };
    await copyFile(mic.speech, mic.file);
    standin = await startStandin({
      latencyProfile: 'default',
      latency: options.latency,
      transcript: TIMED_SENTENCE,
      // With --stt a recording sent here by mistake is refused (404), not timed as the companion's.
      ...(options.stt ? { serves: 'chat' as const } : {}),
    });
    companion = await startVoice(options.engine, (text) => companionLog.push(text), options.stt);
    let voiceUrl = companion.url;
    // The extension talks to the companion through the tap, which notes what it sends to the voice;
    // the neural turns switch it to the other companion and back.
    tap = await startSpeechTap(() => voiceUrl);
    const voice: SpeechTarget = { url: companion.url, voice: '', speed: 1 };
    // One synthesis before timing anything from Node: the first call loads the engine.
    await synthesize(voice, 'Hello there.');

    const machineLines = await machine();
    browser = await launchBrowser({ extensionDir: options.extensionDir, micFile: mic.file });
    const page = browser.panel;
    await configure(page, { apiKey: standin.apiKey, apiBaseUrl: standin.url, companionUrl: tap.url });
    if (options.stt) await useCompanionTranscription(page);
    const knownTurns: string[] = [];
    // The teacher's opening question plays first; it is not timed.
    knownTurns.push(await waitForFirstAudio(page, knownTurns, 30_000));
    await waitForPhase(page, 'idle', 120_000);

    const plans: TurnPlan[] = [];
    if (companion.restart) plans.push({ label: 'S1', path: 'shortcut', kind: 'fresh-start' });
    for (let i = 1; i <= options.turns; i++)
      plans.push({ label: `S${plans.length + 1}`, path: 'shortcut', kind: 'later' });
    for (let i = 1; i <= options.buttonTurns; i++) plans.push({ label: `B${i}`, path: 'button', kind: 'later' });
    for (let i = 1; i <= options.longTurns; i++) plans.push({ label: `L${i}`, path: 'shortcut', kind: 'long-opening' });
    const [liveStandin, liveBrowser, liveTap] = [standin, browser, tap];
    const runTurns = async (
      turnPlans: readonly TurnPlan[],
      restart: (() => Promise<void>) | undefined,
      target: SpeechTarget,
    ): Promise<TimedTurn[]> => {
      const done: TimedTurn[] = [];
      for (const plan of turnPlans) {
        if (plan.kind === 'fresh-start') {
          // A learner starts the companion, opens the panel and talks: the first synthesis after
          // the start is on this turn's critical path.
          await restart?.();
          await page.waitForTimeout(1_000);
        }
        liveStandin.control.setReplyStyle(plan.kind === 'long-opening' ? 'long-opening' : 'correction-first');
        const turn = await timedTurn(plan, liveBrowser, liveStandin, target, liveTap, knownTurns);
        done.push(turn);
        console.info(
          `turn ${turn.label}: first audio ${ms(turn.firstAudioMs)} ms, upload leaves ${ms(turn.uploadLeavesMs)} ms, sequential ${ms(turn.sequentialMs)} ms, overhead ${ms(turn.overheadMs)} ms, first words "${turn.firstSpoken}"`,
        );
      }
      liveStandin.control.setReplyStyle('correction-first');
      return done;
    };
    const turns = await runTurns(plans, companion.restart, voice);

    // Right after eSpeak's turns, so both sets meet the machine's load as alike as the run allows.
    let neural: NeuralRun | null = null;
    if (options.neural && options.stt) {
      console.warn('--stt: the default neural voice is not compared (its companion does not transcribe)');
    } else if (options.neural && !companion.note.startsWith('espeak')) {
      console.warn('the default neural voice is compared with eSpeak only; --engine coqui skips it');
    } else if (options.neural) {
      neural = await neuralTurns(
        plans.filter((plan) => plan.path === 'shortcut' && plan.kind !== 'long-opening'),
        (url) => (voiceUrl = url),
        runTurns,
        (text) => companionLog.push(text),
      );
      voiceUrl = companion.url;
      await waitForPhase(page, 'idle', 120_000);
    }
    const barges = await bargeIns(options.bargeIns, browser, standin, mic, knownTurns);
    for (const b of barges) console.info(`barge-in ${b.turn}: stop ${ms(b.stopMs)} ms, stale started ${b.staleStarts}`);
    const handsFree = await handsFreeTurn(browser, standin, mic);
    console.info(
      `hands-free: quiet → turn end ${ms(handsFree.quietToTurnEndMs)} ms, transcript "${handsFree.transcript}"`,
    );
    const noise = await noiseCheck(dir);
    console.info(`noise: ${noise.falseStartsInNoise} false starts in noise alone, ${noise.cutEarly} sentences cut`);

    const elapsedS = (performance.now() - began) / 1000;
    const report = {
      machineLines,
      loads: { start: loadStart, end: loadAverage() },
      latency: options.latency,
      voiceNote: companion.note,
      transcriptionNote: options.stt
        ? `the companion (Whisper, ${options.stt.model ?? 'tiny.en from setup:stt'}), through the tap; the stand-in only chats; real transcripts`
        : undefined,
      engineIsEspeak: companion.note.startsWith('espeak'),
      turns,
      barges,
      handsFree,
      noise,
      neural,
      elapsedS,
    };
    const targets = printReport(report);
    if (neural?.error) {
      console.error(`The default neural voice was not measured: ${neural.error}`);
      process.exitCode = 1;
    }
    if (options.json) {
      await writeFile(
        options.json,
        JSON.stringify({ ...report, options, targets: targets.map((t) => ({ ...t, verdict: verdict(t) })) }, null, 2),
      );
      console.info(`measurements written to ${options.json}`);
    }
  } catch (error) {
    console.error(
      `The bench could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    if (companionLog.length) console.error(`companion log (last lines):\n${companionLog.slice(-10).join('\n')}`);
    process.exitCode = 1;
  } finally {
    if (!stopping) await cleanup();
  }
}

await main();
