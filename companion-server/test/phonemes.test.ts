import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Phonemizer, piperSentences, splitClauses, type PhonemeVoice } from '../src/engines/phonemes.ts';

const phonemizer = new Phonemizer();
afterAll(() => phonemizer.close());

/** The espeak-ng program's IPA, one line per clause: what Piper's own phonemizer (libespeak-ng) is given. */
function systemEspeak(text: string, voice: PhonemeVoice): string[] {
  const result = spawnSync('espeak-ng', ['-q', '--ipa', '-v', voice, text], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error('this test compares with the espeak-ng program: install it (apt install espeak-ng)');
  }
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

const SENTENCES = [
  'Hello, and welcome back! How was your weekend?',
  'Great question!',
  'Mr. Smith arrived at 3 p.m. today; he said: we should practise more.',
  'I would like a cup of tea, please... What about you?',
  'It costs 1,000 dollars — no, 2,500 dollars.',
  'Yesterday I went to the park with my friend.',
];

describe('phonemes', () => {
  for (const voice of ['en-us', 'en-gb'] as const) {
    it(`gives the espeak-ng program's IPA clause by clause (${voice})`, async () => {
      for (const sentence of SENTENCES) {
        const expected = systemEspeak(sentence, voice);
        const clauses = await phonemizer.clauses(sentence, voice);
        expect(clauses.map((clause) => clause.phonemes).length, sentence).toBe(expected.length);
        clauses.forEach((clause, i) => {
          // The embedded eSpeak NG and the system's may be different releases, which differ in a vowel or a stress
          // mark now and then ("four" fˈɔːɹ / fˈoːɹ); a different word or a lost one is far more than a tenth.
          const line = expected[i]!;
          expect(
            editDistance(clause.phonemes, line) / line.length,
            `${sentence}: ${clause.phonemes} vs ${line}`,
          ).toBeLessThanOrEqual(0.1);
        });
      }
    });
  }

  it('keeps the clause punctuation as Piper does, one string per sentence', async () => {
    const sentences = await phonemizer.piper('Well, hello there! Shall we begin: now; or later?', 'en-us');
    expect(sentences).toHaveLength(2);
    expect(sentences[0]).toMatch(/^[^,!]+, [^,!]+!$/);
    expect(sentences[1]).toMatch(/^[^:;?]+: [^:;?]+; [^:;?]+\?$/);
    expect(sentences.join(' ')).not.toMatch(/[_|]/);
  });

  it("reads British English with eSpeak's British voice", async () => {
    const [american] = await phonemizer.piper('Tomato.', 'en-us');
    const [british] = await phonemizer.piper('Tomato.', 'en-gb');
    expect(american).toContain('eɪ');
    expect(british).toContain('ɑː');
  });

  it('splits clauses where eSpeak does, not inside numbers, abbreviations or before a lower-case word', () => {
    expect(splitClauses('I paid $10.50, e.g. for U.S.A. books.').map((clause) => clause.punctuation)).toEqual([
      ',',
      '.',
    ]);
    expect(splitClauses('"Stop!" she said.').map((clause) => clause.text.trim())).toEqual(['"Stop', 'she said']);
    expect(
      piperSentences([
        { phonemes: 'a', punctuation: ',' },
        { phonemes: 'b', punctuation: '' },
      ]),
    ).toEqual(['a, b']);
  });

  it('answers requests made at the same time, each with its own text', async () => {
    const texts = ['One.', 'Two!', 'Three?', 'Four, five.'];
    const results = await Promise.all(texts.map((text) => phonemizer.piper(text, 'en-us')));
    const alone = [];
    for (const text of texts) alone.push(await phonemizer.piper(text, 'en-us'));
    expect(results).toEqual(alone);
    expect(new Set(results.map((r) => r.join())).size).toBe(texts.length);
  });
});
