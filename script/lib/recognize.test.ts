import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run.ts';
import { recognizeSentence, toRecognizerInput } from './recognize.ts';
import { makeSilenceWav, makeSpeechWav } from './speech-wav.ts';

const CANDIDATES = [
  'Yesterday I go to the park with my friend.',
  'I like to read books in the evening.',
  'What is your favourite food?',
  'The weather is very nice today.',
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-recognize-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function soxInfo(file: string, flag: string): Promise<string> {
  return (await run('soxi', [flag, file])).stdout.toString('utf8').trim();
}

describe('recognizeSentence', () => {
  it('picks the sentence espeak-ng spoke in its own 22050 Hz output', async () => {
    const raw = path.join(dir, 'espeak.wav');
    await run('espeak-ng', ['--stdin', '-w', raw], { stdin: CANDIDATES[1] });
    expect(await soxInfo(raw, '-r')).toBe('22050');
    expect(await recognizeSentence(raw, CANDIDATES)).toBe(CANDIDATES[1]);
  });

  it('hears the same file identically on every run (no random dither when resampling)', async () => {
    const raw = path.join(dir, 'espeak-twice.wav');
    await run('espeak-ng', ['--stdin', '-w', raw], { stdin: CANDIDATES[1] });
    const [first, second] = [path.join(dir, 'first.wav'), path.join(dir, 'second.wav')];
    await toRecognizerInput(raw, first);
    await toRecognizerInput(raw, second);
    expect((await readFile(first)).equals(await readFile(second))).toBe(true);
  });

  it('picks each sentence from a 48 kHz speech WAV, passed as a path or as bytes', async () => {
    for (const [index, sentence] of [CANDIDATES[0], CANDIDATES[3]].entries()) {
      const file = path.join(dir, `speech-${index}.wav`);
      await makeSpeechWav([{ silenceMs: 300 }, sentence!, { silenceMs: 500 }], file);
      expect(await recognizeSentence(file, CANDIDATES)).toBe(sentence);
      expect(await recognizeSentence(await readFile(file), CANDIDATES)).toBe(sentence);
    }
  });

  it('keeps a sentence whole across a pause inside it', async () => {
    const file = path.join(dir, 'pause.wav');
    await makeSpeechWav(
      ['Yesterday I go to the park', { silenceMs: 600 }, 'with my friend.', { silenceMs: 1000 }],
      file,
    );
    expect(await recognizeSentence(file, CANDIDATES)).toBe(CANDIDATES[0]);
  });

  it('returns null for silence and for a sentence that is not a candidate', async () => {
    const silence = await makeSilenceWav(1500, path.join(dir, 'silence.wav'));
    expect(await recognizeSentence(silence, CANDIDATES)).toBeNull();
    const other = await makeSpeechWav(['The cat sat on the mat and looked at the dog.'], path.join(dir, 'other.wav'));
    expect(await recognizeSentence(other, CANDIDATES)).toBeNull();
  });
});

describe('makeSpeechWav', () => {
  it('writes 16-bit 48 kHz mono audio as long as the speech plus its silences', async () => {
    const speechOnly = await makeSpeechWav(['The weather is very nice today.'], path.join(dir, 'only.wav'));
    const padded = await makeSpeechWav(
      [{ silenceMs: 500 }, 'The weather is very nice today.', { silenceMs: 1000 }],
      path.join(dir, 'padded.wav'),
    );
    expect(await soxInfo(padded, '-r')).toBe('48000');
    expect(await soxInfo(padded, '-c')).toBe('1');
    expect(await soxInfo(padded, '-b')).toBe('16');
    const extra = Number(await soxInfo(padded, '-D')) - Number(await soxInfo(speechOnly, '-D'));
    expect(extra).toBeCloseTo(1.5, 2);
  });

  it('reads text from stdin, so shell syntax in it is spoken, not run', async () => {
    const marker = path.join(dir, 'should-not-exist');
    const file = await makeSpeechWav([`Hello; touch ${marker}; $(touch ${marker})`], path.join(dir, 'shell.wav'));
    expect(Number(await soxInfo(file, '-D'))).toBeGreaterThan(1);
    await expect(readFile(marker)).rejects.toThrow();
  });

  it('writes silence of the requested length', async () => {
    const file = await makeSilenceWav(750, path.join(dir, 'silence-750.wav'));
    expect(Number(await soxInfo(file, '-D'))).toBeCloseTo(0.75, 3);
    expect(await soxInfo(file, '-r')).toBe('48000');
    // Digital silence, not dither noise: an "empty recording" must really be empty.
    const bytes = await readFile(file);
    expect(bytes.subarray(44).every((byte) => byte === 0)).toBe(true);
  });
});
