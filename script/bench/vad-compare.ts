import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcm16, speechSpan } from './analysis.ts';
import type { Detector } from './vad-detectors.ts';
import { mix, scoreSentence, type SentenceScore } from './vad-scenes.ts';
import { run } from '../lib/run.ts';

/**
 * The noisy-room comparison behind `npm run bench:vad` (and the noise part of `npm run bench`):
 * the committed learner samples laid over pink noise and babble made here with sox and espeak-ng,
 * at 20 and 10 dB SNR, and each detector's decisions on them scored.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RATE = 48_000;
export const SAMPLES = ['learner-yesterday.wav', 'learner-books.wav', 'learner-pause.wav'];
export const NOISE_ONLY_MS = 20_000;
/** Noise before the learner starts (the room is noisy before anyone talks) and after the sample. */
export const LEAD_MS = 1_500;
export const TAIL_MS = 2_500;

const BABBLE_TEXTS: Array<[voice: string, text: string]> = [
  [
    'en-us',
    'The meeting starts at nine, so please bring your notes and the report from last week. We still need to decide who will present the results to the board.',
  ],
  [
    'en-gb',
    'I went to the market on Saturday morning and the queues were terribly long. In the end I bought bread, cheese and a few oranges and went home.',
  ],
  [
    'en-us+f3',
    'Have you seen the new film at the cinema near the station? My sister says the ending is surprising, but I have not had time to go yet.',
  ],
  [
    'en-gb-x-rp+m3',
    'The train was delayed again this evening because of the weather. Everyone on the platform was cold and tired and looking at their phones.',
  ],
  [
    'en-gb-scotland+f2',
    'We are planning a holiday by the sea in August, somewhere quiet with good food. The children want to swim every day and build sandcastles.',
  ],
  [
    'en-029+m5',
    'Could you pass me the salt, please? This soup needs a little more flavour, and maybe some pepper too. Thank you, that is much better now.',
  ],
];

export interface Condition {
  name: string;
  noise: Float32Array;
  snrDb: number | null;
}

const toFloat = (wav: Buffer): Float32Array => {
  const { rate, samples } = readPcm16(wav);
  if (rate !== RATE) throw new Error(`expected ${RATE} Hz audio, got ${rate} Hz`);
  return Float32Array.from(samples, (s) => s / 32768);
};

const OUTPUT = ['-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer'];

export async function makeNoises(dir: string): Promise<{ pink: Float32Array; babble: Float32Array }> {
  const pinkPath = path.join(dir, 'pink.wav');
  // A fixed seed (-R) gives the same noise every run.
  await run('sox', ['-R', '-n', ...OUTPUT, pinkPath, 'synth', '30', 'pinknoise']);
  const voices: string[] = [];
  for (const [index, [voice, text]] of BABBLE_TEXTS.entries()) {
    const raw = path.join(dir, `voice-${index}.wav`);
    const converted = path.join(dir, `voice-${index}-48k.wav`);
    await run('espeak-ng', ['--stdin', '-w', raw, '-v', voice, '-s', String(150 + index * 10)], {
      stdin: `${text} ${text} ${text} ${text} ${text} ${text}`,
    });
    // Each talker starts at a different moment and all are cut to the same length, so the
    // babble has no gaps where every voice pauses at once.
    await run('sox', ['-D', raw, ...OUTPUT, converted, 'pad', (index * 0.37).toFixed(2), '0', 'trim', '0', '30']);
    voices.push(converted);
  }
  const babblePath = path.join(dir, 'babble.wav');
  // The first seconds, while the talkers join one by one, are cut: the room is already busy.
  await run('sox', ['-D', '-m', ...voices, ...OUTPUT, babblePath, 'trim', '3', 'norm', '-3']);
  return { pink: toFloat(await readFile(pinkPath)), babble: toFloat(await readFile(babblePath)) };
}

export interface Row {
  detector: string;
  condition: string;
  falseStartsInNoise: number;
  sentences: Array<{ sample: string } & SentenceScore>;
}

export async function runDetector(
  detector: Detector,
  conditions: Condition[],
  speech: Array<{ name: string; samples: Float32Array; start: number; end: number }>,
  referenceLevel: Float32Array,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const condition of conditions) {
    let falseStartsInNoise = 0;
    if (condition.snrDb !== null) {
      // Noise alone, at the level it has next to the reference sentence at this SNR.
      const scene = mix(referenceLevel, condition.noise, RATE, {
        snrDb: condition.snrDb,
        leadMs: 0,
        tailMs: NOISE_ONLY_MS,
      });
      const noiseOnly = scene.subarray(referenceLevel.length);
      falseStartsInNoise = (await detector.run(noiseOnly, RATE)).filter((d) => d.type === 'start').length;
    }
    const sentences: Row['sentences'] = [];
    for (const sample of speech) {
      const scene = mix(sample.samples, condition.noise, RATE, {
        snrDb: condition.snrDb,
        leadMs: LEAD_MS,
        tailMs: TAIL_MS,
      });
      const decisions = await detector.run(scene, RATE);
      sentences.push({
        sample: sample.name,
        ...scoreSentence(decisions, { speechStartMs: LEAD_MS + sample.start, speechEndMs: LEAD_MS + sample.end }),
      });
    }
    rows.push({ detector: detector.name, condition: condition.name, falseStartsInNoise, sentences });
  }
  return rows;
}

export interface Scenes {
  conditions: Condition[];
  speech: Array<{ name: string; samples: Float32Array; start: number; end: number; pauses: Array<[number, number]> }>;
}

/** Makes the noises in `dir` and loads the samples: everything the detectors are run on. */
export async function makeScenes(dir: string): Promise<Scenes> {
  const noises = await makeNoises(dir);
  const speech = await Promise.all(
    SAMPLES.map(async (name) => {
      const wav = await readFile(path.join(ROOT, 'script/samples', name));
      const span = speechSpan(wav);
      return { name, samples: toFloat(wav), start: span.speechStartMs, end: span.speechEndMs, pauses: span.pauses };
    }),
  );
  const conditions: Condition[] = [
    { name: 'quiet', noise: new Float32Array(0), snrDb: null },
    { name: 'pink 20 dB', noise: noises.pink, snrDb: 20 },
    { name: 'pink 10 dB', noise: noises.pink, snrDb: 10 },
    { name: 'babble 20 dB', noise: noises.babble, snrDb: 20 },
    { name: 'babble 10 dB', noise: noises.babble, snrDb: 10 },
  ];
  return { conditions, speech };
}

/** Runs a detector over every scene; the first sample is the reference for the noise-only level. */
export function compare(detector: Detector, scenes: Scenes): Promise<Row[]> {
  return runDetector(detector, scenes.conditions, scenes.speech, scenes.speech[0]!.samples);
}
