import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recognizeSentence } from '../lib/recognize.ts';
import { run } from '../lib/run.ts';
import { LEARNER_SENTENCE, SECOND_SENTENCE } from '../make-samples.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CANDIDATES = [LEARNER_SENTENCE, SECOND_SENTENCE, 'What is your favourite food?'];

describe('committed sample recordings', () => {
  it.each([
    ['learner-yesterday.wav', LEARNER_SENTENCE],
    ['learner-books.wav', SECOND_SENTENCE],
    ['learner-pause.wav', LEARNER_SENTENCE],
  ])('%s is a 16-bit 48 kHz mono recording of its sentence', async (file, sentence) => {
    const sample = path.join(here, file);
    const info = (await run('soxi', [sample])).stdout.toString('utf8');
    expect(info).toMatch(/Channels\s+: 1/);
    expect(info).toMatch(/Sample Rate\s+: 48000/);
    expect(info).toMatch(/Precision\s+: 16-bit/);
    expect(await recognizeSentence(sample, CANDIDATES)).toBe(sentence);
  });

  it('silence-2s.wav is two seconds of digital silence', async () => {
    const bytes = await readFile(path.join(here, 'silence-2s.wav'));
    expect(bytes.length).toBe(44 + 2 * 48_000 * 2);
    expect(bytes.subarray(44).every((byte) => byte === 0)).toBe(true);
  });
});
