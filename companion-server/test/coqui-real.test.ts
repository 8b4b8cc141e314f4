import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeWav } from '../src/audio.ts';
import { defaultCoquiPython } from '../src/python-env.ts';
import { startCompanion, type CompanionHandle, type StartOptions } from '../src/server.ts';
import { rms, tempDir } from './helpers.ts';
import { randomModelsHome } from './real-coqui/models.ts';

// The unchanged worker against the real coqui-tts that `npm run setup:coqui` installs (npm test runs it first):
// real loading by name from the library's own model cache, the real synthesiser with its padding, real argument
// checks and real errors. Only the weights are stand-ins: models of the real architectures, randomly initialised
// by ./real-coqui/make_models.py, because nothing can be downloaded here.

const PYTHON = defaultCoquiPython();
/** The synthesiser's silence after every sentence (TTS/utils/synthesizer.py). */
const COQUI_PADDING = 10_000;
const LOAD_MS = 300_000;
// Real models on a CPU shared with the rest of the suite: a sentence can take seconds.
vi.setConfig({ testTimeout: 120_000 });

let models: string;
let scratch: { dir: string; remove: () => Promise<void> };
const running: CompanionHandle[] = [];
/** Started together: loading is mostly single-threaded imports, so concurrent loads use every core. */
let jenny: CompanionHandle;
let vctk: CompanionHandle;
let tacotron: CompanionHandle;
let xtts: CompanionHandle;

beforeAll(async () => {
  const probe = spawnSync(PYTHON, [
    '-c',
    'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("TTS") else 1)',
  ]);
  if (probe.status !== 0) {
    throw new Error(`coqui-tts is not installed for ${PYTHON}: run npm run setup:coqui (npm test does it first)`);
  }
  scratch = await tempDir('aitalk-coqui-real-');
  models = await randomModelsHome(PYTHON, 'tiny');
  [jenny, vctk, tacotron, xtts] = await Promise.all([
    start('tts_models/en/jenny/jenny'),
    start('tts_models/en/vctk/vits'),
    start('tts_models/en/ljspeech/tacotron2-DCA'),
    start('tts_models/multilingual/multi-dataset/xtts_v2', { ttsHome: path.join(scratch.dir, 'xtts') }),
  ]);
}, 600_000);

afterAll(async () => {
  await Promise.all(running.map((companion) => companion.close()));
  await scratch?.remove();
});

async function start(model: string, options: Partial<StartOptions> & { ttsHome?: string; path?: string } = {}) {
  const { ttsHome, path: searchPath, ...rest } = options;
  const env: NodeJS.ProcessEnv = { TTS_HOME: ttsHome ?? models, COQUI_TOS_AGREED: '' };
  if (searchPath !== undefined) env.PATH = searchPath;
  const companion = await startCompanion({
    port: 0,
    engine: 'coqui',
    model,
    python: PYTHON,
    cacheMaxMb: 0,
    timeoutMs: 120_000,
    log: () => {},
    env,
    ...rest,
  });
  running.push(companion);
  return companion;
}

async function speak(companion: CompanionHandle, input: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${companion.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input, response_format: 'wav', ...extra }),
  });
  expect(
    response.status,
    await response
      .clone()
      .text()
      .catch(() => ''),
  ).toBe(200);
  return decodeWav(Buffer.from(await response.arrayBuffer()));
}

/** Zero samples at the end of 16-bit PCM. */
function trailingZeros(pcm: Buffer): number {
  let count = 0;
  for (let offset = pcm.length - 2; offset >= 0 && pcm.readInt16LE(offset) === 0; offset -= 2) count++;
  return count;
}

const seconds = (audio: { sampleRate: number; pcm: Buffer }) => audio.pcm.length / 2 / audio.sampleRate;

describe('real coqui-tts: a VITS model loaded by the name tts_models/en/jenny/jenny', () => {
  beforeAll(() => jenny.ready, LOAD_MS);

  it("offers its one voice with the credit Jenny's licence asks for", async () => {
    const body = (await (await fetch(`${jenny.url}/voices`)).json()) as {
      voices: { id: string; attribution?: string }[];
    };
    expect(body.voices).toEqual([
      expect.objectContaining({ id: 'default', attribution: expect.stringMatching(/Jenny \(Dioco\)/) }),
    ]);
  });

  it("speaks at the model's 48 kHz without the synthesiser's 10,000 samples of silence at the end", async () => {
    const audio = await speak(jenny, 'Good morning, how are you today?');
    expect(audio.sampleRate).toBe(48_000);
    expect(seconds(audio)).toBeGreaterThan(1);
    expect(rms(audio.pcm)).toBeGreaterThan(0);
    expect(trailingZeros(audio.pcm)).toBeLessThan(COQUI_PADDING / 10);
  });

  it('joins the sentences of a longer text with no silence added between them', async () => {
    const first = await speak(jenny, 'I went to the market.');
    const second = await speak(jenny, 'It was very busy.');
    const both = await speak(jenny, 'I went to the market. It was very busy.');
    expect(both.pcm.length).toBe(first.pcm.length + second.pcm.length);
  });

  it("honours speed through VITS's length scale", async () => {
    const text = 'Please speak a little more slowly.';
    const normal = seconds(await speak(jenny, text));
    expect(seconds(await speak(jenny, text, { speed: 2 })) / normal).toBeCloseTo(0.5, 1);
    expect(seconds(await speak(jenny, text, { speed: 0.5 })) / normal).toBeCloseTo(2, 1);
    // The scale is restored: the next request at speed 1 is as long as before.
    expect(seconds(await speak(jenny, text))).toBe(normal);
  });

  it("answers an OpenAI SDK client that keeps OpenAI's defaults", async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${jenny.url}/v1`, maxRetries: 0 });
    const response = await client.audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: 'Hello there.',
      instructions: 'Warmly.',
    });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(2000);
  });
});

describe('real coqui-tts: a multi-speaker VITS model (tts_models/en/vctk/vits)', () => {
  beforeAll(() => vctk.ready, LOAD_MS);

  it('offers trimmed speaker names and maps them back to the model\'s own spelling ("ED\\n")', async () => {
    const body = (await (await fetch(`${vctk.url}/voices`)).json()) as { voices: { id: string }[] };
    expect(body.voices.map((voice) => voice.id)).toEqual(['p225', 'p226', 'ED', 'p227']);
    const ed = await speak(vctk, 'Nice to meet you.', { voice: 'ED' });
    const p225 = await speak(vctk, 'Nice to meet you.', { voice: 'p225' });
    expect(ed.pcm.equals(p225.pcm)).toBe(false);
    expect(ed.pcm.equals((await speak(vctk, 'Nice to meet you.', { voice: 'ED' })).pcm)).toBe(true);
  });

  it("gives OpenAI's voice names the speakers in order (ash is the second)", async () => {
    const ash = await speak(vctk, 'See you tomorrow.', { voice: 'ash' });
    expect(ash.pcm.equals((await speak(vctk, 'See you tomorrow.', { voice: 'p226' })).pcm)).toBe(true);
  });
});

describe('real coqui-tts: Tacotron2-DCA with its multiband-MelGAN vocoder', () => {
  beforeAll(() => tacotron.ready, LOAD_MS);

  it('loads the model and its default vocoder by name and speaks at 22.05 kHz without trailing padding', async () => {
    const audio = await speak(tacotron, 'The weather is nice today.');
    expect(audio.sampleRate).toBe(22_050);
    expect(seconds(audio)).toBeGreaterThan(0.3);
    expect(trailingZeros(audio.pcm)).toBeLessThan(COQUI_PADDING / 10);
  });

  it('says to install espeak-ng when the program is missing, before spending time on loading', async () => {
    const started = Date.now();
    const without = await start('tts_models/en/ljspeech/tacotron2-DCA', { path: path.join(scratch.dir, 'empty-bin') });
    await expect(without.ready).rejects.toThrow(/espeak-ng.*not on PATH.*apt install espeak-ng/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('real coqui-tts: names and folders that cannot load', () => {
  it("checks the model name against the library's own list and says how to list them", async () => {
    const companion = await start('tts_models/en/ljspeech/no-such-model');
    await expect(companion.ready).rejects.toThrow(
      /not one of coqui-tts's models.*-m TTS\.bin\.synthesize --list_models/,
    );
  });

  it('names the folder to delete when an earlier download was interrupted', async () => {
    const home = path.join(scratch.dir, 'half');
    const folder = path.join(home, 'tts', 'tts_models--en--ljspeech--vits');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'config.json'), '{}');
    const companion = await start('tts_models/en/ljspeech/vits', { ttsHome: home });
    const reason = await companion.ready.then(
      () => '',
      (error: unknown) => String(error),
    );
    expect(reason).toMatch(/interrupted/);
    expect(reason).toContain(`${folder} has no model file`);
    expect(reason).toMatch(/Delete that folder/);
  });

  it(
    'fails loudly instead of reading the JSON channel when XTTS asks for its licence on the console',
    async () => {
      await expect(xtts.ready).rejects.toThrow(/asked a question on the console.*COQUI_TOS_AGREED=1/);
    },
    LOAD_MS,
  );
});
