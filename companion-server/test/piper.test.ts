import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recognizeSentence } from '../../script/lib/recognize.ts';
import { ApiError } from '../src/errors.ts';
import { PiperEngine, lengthScaleFor, parsePiperConfig, piperIds } from '../src/engines/piper.ts';
import { OPENAI_VOICES } from '../src/openai-voices.ts';
import { padForRecognition, plausibleSeconds, rms, tempDir } from './helpers.ts';
import { asWav, brokenCopies, speakPcm } from './neural-engines.ts';
import { PIPER_VOICE, piperVoicePaths } from './voice-packages.ts';

const CANDIDATES = [
  'The weather is very nice today.',
  'I like to read books in the evening.',
  'What is your favourite food?',
  'Yesterday I went to the park with my friend.',
];

const paths = piperVoicePaths();
let engine: PiperEngine;
let scratch: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  scratch = await tempDir('aitalk-piper-');
  engine = new PiperEngine({ modelPath: paths.modelPath, maxQueue: 8, timeoutMs: 60_000 });
  await engine.ready;
});

afterAll(async () => {
  await engine?.close();
  await scratch?.remove();
});

async function expectBroken(modelPath: string, fileInMessage: string, todo: RegExp): Promise<string> {
  const broken = new PiperEngine({ modelPath, maxQueue: 1, timeoutMs: 10_000 });
  try {
    await expect(broken.ready).rejects.toThrow(fileInMessage);
    const state = broken.status();
    expect(state.state).toBe('error');
    const message = state.state === 'error' ? state.message : '';
    expect(message).toContain(fileInMessage);
    expect(message).toMatch(todo);
    // Asked to speak anyway, it answers 503 with the reason instead of hanging or crashing.
    await expect(speakPcm(broken, 'Hello.')).rejects.toMatchObject({ status: 503 });
    return message;
  } finally {
    await broken.close();
  }
}

describe('piper engine', () => {
  it('lists its one voice with accent, gender, language and the credit from its MODEL_CARD', () => {
    expect(engine.status()).toEqual({ state: 'ready' });
    expect(engine.voices()).toEqual([
      expect.objectContaining({
        id: PIPER_VOICE,
        engine: 'piper',
        accent: 'American',
        gender: 'male',
        language: 'en-us',
        attribution: expect.stringMatching(/CC0/),
      }),
    ]);
    expect(engine.defaultVoice()).toBe(PIPER_VOICE);
    for (const name of OPENAI_VOICES) expect(engine.voiceForOpenAI(name)).toBe(PIPER_VOICE);
  });

  it('speaks a sentence: audible 22.05 kHz speech, as long as the words need, the words recognisable', async () => {
    const sentence = CANDIDATES[3]!;
    const { pcm, sampleRate, seconds } = await speakPcm(engine, sentence);
    expect(sampleRate).toBe(22050);
    const bounds = plausibleSeconds(sentence);
    expect(seconds).toBeGreaterThan(bounds.min);
    expect(seconds).toBeLessThan(bounds.max);
    expect(rms(pcm)).toBeGreaterThan(0.02);
    expect(await recognizeSentence(padForRecognition(asWav(pcm, sampleRate)), CANDIDATES)).toBe(sentence);
  });

  it('speaks at 0.7 at least 20 % longer than at 1, and faster at 1.5', async () => {
    const sentence = CANDIDATES[1]!;
    const normal = await speakPcm(engine, sentence, { speed: 1 });
    const slow = await speakPcm(engine, sentence, { speed: 0.7 });
    const fast = await speakPcm(engine, sentence, { speed: 1.5 });
    expect(slow.seconds).toBeGreaterThanOrEqual(normal.seconds * 1.2);
    expect(fast.seconds).toBeLessThan(normal.seconds * 0.85);
    expect(await recognizeSentence(padForRecognition(asWav(slow.pcm, slow.sampleRate)), CANDIDATES)).toBe(sentence);
  });

  it('answers an unknown voice with a 400 that names the voices it has', async () => {
    const error = await speakPcm(engine, 'Hello.', { voice: 'en_GB-nobody-low' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect((error as ApiError).message).toContain(PIPER_VOICE);
    expect(engine.acceptsVoice('en_GB-nobody-low')).toBe(false);
  });

  it('stops at once when the request is aborted, and speaks the next one', async () => {
    const controller = new AbortController();
    const long = `${CANDIDATES.join(' ')} ${CANDIDATES.join(' ')}`;
    const pending = speakPcm(engine, long, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // A request waiting in the queue behind another leaves it when aborted.
    const first = speakPcm(engine, CANDIDATES[0]!);
    const waiting = new AbortController();
    const second = speakPcm(engine, CANDIDATES[1]!, { signal: waiting.signal });
    waiting.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect((await first).seconds).toBeGreaterThan(1);
    expect(engine.queue().waiting).toBe(0);
  });

  it('speaks requests made at the same time, each its own sentence', async () => {
    const [a, b] = await Promise.all([speakPcm(engine, CANDIDATES[0]!), speakPcm(engine, CANDIDATES[2]!)]);
    expect(await recognizeSentence(padForRecognition(asWav(a.pcm, a.sampleRate)), CANDIDATES)).toBe(CANDIDATES[0]);
    expect(await recognizeSentence(padForRecognition(asWav(b.pcm, b.sampleRate)), CANDIDATES)).toBe(CANDIDATES[2]);
  });

  it('says which file is wrong and what to do when the model is a text file or cut short', async () => {
    const copyConfig = (copy: string): Promise<void> => copyFile(paths.configPath, `${copy}.json`);
    const { textFile, truncated } = await brokenCopies(paths.modelPath, scratch.dir, copyConfig);
    await expectBroken(textFile, textFile, /could not be loaded as an ONNX model.*download it again/);
    await expectBroken(truncated, truncated, /could not be loaded as an ONNX model.*download it again/);
  });

  it('says which file is wrong when the .onnx.json is missing or is not a Piper config', async () => {
    const dir = path.join(scratch.dir, 'configs');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const model = path.join(dir, `${PIPER_VOICE}.onnx`);
    await copyFile(paths.modelPath, model);
    await expectBroken(model, `${model}.json`, /is missing: a Piper voice needs its \.onnx\.json/);
    await writeFile(`${model}.json`, '{"audio": {"sample_rate": 22050}}');
    await expectBroken(model, `${model}.json`, /not a Piper voice config.*download/);
    await writeFile(`${model}.json`, '{"audio": ');
    await expectBroken(model, `${model}.json`, /not valid JSON/);
    await expectBroken(path.join(dir, 'nothing.onnx'), path.join(dir, 'nothing.onnx'), /does not exist/);
  });

  it("turns phonemes into ids by Piper's scheme and speed into length_scale, within Piper's range", async () => {
    const { readFile } = await import('node:fs/promises');
    const config = parsePiperConfig(await readFile(paths.configPath, 'utf8'), paths.configPath);
    const id = (symbol: string): number => config.idMap.get(symbol)![0]!;
    // "ç" decomposes (NFD) into c and a combining cedilla, both of which Piper's map has; "☃" it has not.
    const symbols = ['^', '_', 'h', '_', 'ˈ', '_', 'ɛ', '_', ' ', '_', 'c', '_', '\u0327', '_', '!', '_', '$'];
    expect(piperIds('hˈɛ ç☃!', config.idMap)).toEqual(symbols.map(id));
    expect(lengthScaleFor(1, 1)).toBe(1);
    expect(lengthScaleFor(1, 0.7)).toBeGreaterThan(1 / 0.7);
    expect(lengthScaleFor(1, 0.25)).toBe(lengthScaleFor(1, 0.5));
    expect(lengthScaleFor(1, 4)).toBe(lengthScaleFor(1, 2));
    expect(lengthScaleFor(1, 2)).toBeLessThan(0.5);
  });

  it('answers 504 when a sentence takes too long, and speaks the next one', { timeout: 120_000 }, async () => {
    const impatient = new PiperEngine({ modelPath: paths.modelPath, maxQueue: 4, timeoutMs: 20 });
    try {
      await impatient.ready;
      await expect(speakPcm(impatient, CANDIDATES.join(' '))).rejects.toMatchObject({ status: 504, type: 'timeout' });
      expect(impatient.status()).toEqual({ state: 'ready' });
    } finally {
      await impatient.close();
    }
    // The shared engine, with a sensible timeout, is unaffected.
    expect((await speakPcm(engine, CANDIDATES[0]!)).seconds).toBeGreaterThan(1);
  });
});
