import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { commandExists, run } from './run.ts';

/** Where Debian's pocketsphinx-en-us puts the acoustic model and dictionary (override with AITALK_POCKETSPHINX_MODEL). */
const MODEL_DIR = process.env.AITALK_POCKETSPHINX_MODEL ?? '/usr/share/pocketsphinx/model/en-us';
const HMM = path.join(MODEL_DIR, 'en-us');
const DICT = path.join(MODEL_DIR, 'cmudict-en-us.dict');

let dictionary: Promise<Set<string>> | undefined;

function loadDictionary(): Promise<Set<string>> {
  dictionary ??= readFile(DICT, 'utf8').then((text) => {
    const words = new Set<string>();
    for (const line of text.split('\n')) {
      const word = line.split(' ', 1)[0];
      // Alternative pronunciations are listed as "word(2)"; the base word is what matters here.
      if (word) words.add(word.replace(/\(\d+\)$/, ''));
    }
    return words;
  });
  return dictionary;
}

/** Lowercase words without punctuation, apostrophes kept ("don't" is in the cmudict). */
export function normaliseSentence(sentence: string): string[] {
  return sentence
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word.length > 0);
}

/**
 * Tells which of `candidates` was spoken in `wav` (a path or the file's bytes, any WAV sox reads),
 * or null when none of them was. pocketsphinx is given a grammar whose only sentences are the
 * candidates, so it cannot drift into unrelated words; a recording of something else (or silence)
 * yields no hypothesis at all.
 */
export async function recognizeSentence(wav: Buffer | string, candidates: readonly string[]): Promise<string | null> {
  const words = await loadDictionary();
  // Words the dictionary lacks (names, digits) cannot be in a JSGF grammar; the rest still tells the sentences apart.
  const byGrammarText = new Map<string, string>();
  for (const candidate of candidates) {
    const known = normaliseSentence(candidate).filter((word) => words.has(word));
    const key = known.join(' ');
    if (key && !byGrammarText.has(key)) byGrammarText.set(key, candidate);
  }
  if (byGrammarText.size === 0) return null;

  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-recognize-'));
  try {
    const input = path.join(dir, 'input.wav');
    let source = wav;
    if (typeof source !== 'string') {
      source = path.join(dir, 'original.wav');
      await writeFile(source, wav);
    }
    await toRecognizerInput(source, input);
    const grammar = path.join(dir, 'candidates.jsgf');
    await writeFile(
      grammar,
      `#JSGF V1.0;\ngrammar candidates;\npublic <sentence> = ${[...byGrammarText.keys()].join(' | ')};\n`,
    );
    const hypothesis = await decode(dir, input, grammar);
    return hypothesis ? (byGrammarText.get(normaliseSentence(hypothesis).join(' ')) ?? null) : null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Converts any WAV to what pocketsphinx's en-us model expects: 16 kHz mono 16-bit. `-D`: sox
 * dithers a resampled 16-bit output with random noise by default, so the same file reached
 * pocketsphinx a little different on each run, and whether it was recognised was left to chance
 * (the flaky 22,050 Hz case). The decoder adds its own seeded dither instead (see decode).
 */
export async function toRecognizerInput(source: string, output: string): Promise<void> {
  // The decoder estimates the noise floor from the first frames: a recording that starts with
  // the voice itself (espeak-ng's raw output does) left it nothing to learn from.
  await run('sox', [
    '-D',
    source,
    '-r',
    '16000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    output,
    'pad',
    '0.3',
    '0.3',
  ]);
}

async function decode(dir: string, input: string, grammar: string): Promise<string> {
  if (await commandExists('pocketsphinx_batch')) {
    // Debian 12's pocketsphinx (5prealpha). pocketsphinx_batch decodes the whole file as one
    // utterance; pocketsphinx_continuous would cut it at every pause and then match no sentence.
    const hypFile = path.join(dir, 'hyp.txt');
    const ctl = path.join(dir, 'files.ctl');
    await writeFile(ctl, 'input\n');
    await run('pocketsphinx_batch', [
      '-ctl',
      ctl,
      '-cepdir',
      dir,
      '-cepext',
      '.wav',
      '-adcin',
      'yes',
      '-adchdr',
      '44',
      '-hyp',
      hypFile,
      '-jsgf',
      grammar,
      '-hmm',
      HMM,
      '-dict',
      DICT,
      '-logfn',
      '/dev/null',
      // Digital silence (all zeros) has no log energy: the decoder needs a little noise, and a
      // fixed seed makes it the same noise every run.
      '-dither',
      'yes',
      '-seed',
      '1',
    ]);
    // Each line reads "words (utterance-id score)".
    const line = (await readFile(hypFile, 'utf8')).split('\n')[0] ?? '';
    return line.replace(/\s*\([^()]*\)\s*$/, '').trim();
  }
  if (await commandExists('pocketsphinx')) {
    // pocketsphinx 5.x (Debian 13+): `single` also treats the file as one utterance and prints JSON.
    const { stdout } = await run('pocketsphinx', [
      '-hmm',
      HMM,
      '-dict',
      DICT,
      '-jsgf',
      grammar,
      '-dither',
      'yes',
      '-seed',
      '1',
      'single',
      input,
    ]);
    const line = stdout.toString('utf8').trim().split('\n')[0] ?? '';
    if (!line) return '';
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && 't' in parsed && typeof parsed.t === 'string'
      ? parsed.t
      : '';
  }
  throw new Error('pocketsphinx is not installed: apt-get install pocketsphinx pocketsphinx-en-us');
}
