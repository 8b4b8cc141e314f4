// @vitest-environment node
// The real recogniser (soundswallower's WebAssembly and model, from node_modules) on speech eSpeak NG says.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeSpeechWav } from '../../script/lib/speech-wav';
import type { PronunciationJudgement, PronunciationResult, WordJudgement } from '../../core/pronunciation';
import { readPcmWav } from '../wav-pcm';
import { vowelFormants } from './formants';
import { DEFAULT_THRESHOLDS, loadJudge, type PronunciationJudge } from './judge';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const MODEL_BASE = fileURLToPath(new URL('../../node_modules/soundswallower/model/', import.meta.url));
const TEXT = 'The man at the desk gave me a map of the town';

let dir: string;
let judge: PronunciationJudge;

async function say(text: string): Promise<Float32Array> {
  const file = path.join(dir, `${text.replace(/\W/g, '_')}.wav`);
  await makeSpeechWav([{ silenceMs: 300 }, text, { silenceMs: 300 }], file, { sampleRate: 16_000 });
  const bytes = await readFile(file);
  return readPcmWav(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))!.channelData[0]!;
}

function judged(result: PronunciationJudgement): PronunciationResult {
  if (result.kind !== 'judged') throw new Error(`refused: ${result.reason}`);
  return result;
}

function man(result: PronunciationResult): WordJudgement {
  return result.words.find((w) => w.text === 'man')!;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-formants-'));
  judge = await loadJudge(MODEL_BASE);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('vowel formants', () => {
  it('put F1 of a synthetic vowel with resonances at 700 and 1800 Hz near them', () => {
    // A 120 Hz pulse train through two resonators: the vowel's two lowest formants, known exactly.
    const pcm = new Float32Array(8_000);
    const resonate = (input: Float32Array, hz: number, bandwidth: number) => {
      const r = Math.exp((-Math.PI * bandwidth) / 16_000);
      const c = 2 * r * Math.cos((2 * Math.PI * hz) / 16_000);
      const out = new Float32Array(input.length);
      for (let i = 0; i < input.length; i++) out[i] = input[i]! + c * (out[i - 1] ?? 0) - r * r * (out[i - 2] ?? 0);
      return out;
    };
    for (let i = 0; i < pcm.length; i += Math.round(16_000 / 120)) pcm[i] = 1;
    const vowel = resonate(resonate(pcm, 700, 80), 1800, 100);
    const formants = vowelFormants(vowel, 0.1, 0.4)!;
    expect(Math.abs(formants.f1 - 700)).toBeLessThan(60);
    expect(Math.abs(formants.f2 - 1800)).toBeLessThan(100);
  });
});

describe('the formant cue for /æ/ said as /e/', () => {
  it('"men" where the text says "man": man is unclear, its /æ/ heard as /e/, which the recogniser alone misses', async () => {
    const pcm = await say(TEXT.replace('man', 'men'));
    const withoutCue = { ...DEFAULT_THRESHOLDS, aeF1F2: undefined, aeRelative: undefined };
    expect(man(judged(judge.judge(pcm, TEXT, withoutCue))).verdict).toBe('good');
    const result = judged(judge.judge(pcm, TEXT));
    expect(man(result).verdict).toBe('unclear');
    expect(man(result).phones[1]).toMatchObject({ ipa: 'æ', heardInstead: 'e' });
    expect(result.soundsToWorkOn.map((s) => s.sound)).toContain('a-cat');
  });

  it('leaves man and map good when the sentence is said as written', async () => {
    const result = judged(judge.judge(await say(TEXT), TEXT));
    // Only the /æ/ words: the recogniser itself hears eSpeak's final /n/ of "town" as /l/ here.
    for (const text of ['man', 'map']) {
      expect(result.words.find((w) => w.text === text)).toMatchObject({ verdict: 'good' });
    }
  });
});

describe('the formant cue for /iː/ said as /ɪ/', () => {
  const text = 'I could feel the cold wind coming through the window';
  const feel = (result: PronunciationResult) => result.words.find((w) => w.text === 'feel')!;

  it('"fill" where the text says "feel": feel is unclear, its /iː/ heard as /ɪ/, which the recogniser alone misses', async () => {
    const pcm = await say(text.replace('feel', 'fill'));
    const withoutCue = { ...DEFAULT_THRESHOLDS, iyF1Hz: undefined };
    expect(feel(judged(judge.judge(pcm, text, withoutCue))).verdict).toBe('good');
    const result = judged(judge.judge(pcm, text));
    expect(feel(result).verdict).toBe('unclear');
    expect(feel(result).phones[1]).toMatchObject({ ipa: 'iː', heardInstead: 'ɪ' });
    expect(result.soundsToWorkOn.map((s) => s.sound)).toContain('long-ee');
  });

  it('leaves feel good when it is said as written', async () => {
    expect(feel(judged(judge.judge(await say(text), text))).verdict).toBe('good');
  });
});

describe('the cue for a final /d/ left out', () => {
  const text = 'We made a cake for her birthday last weekend';
  const made = (result: PronunciationResult) => result.words.find((w) => w.text === 'made')!;

  it('"may" where the text says "made": made is unclear, its /d/ dropped, which the recogniser alone misses', async () => {
    const pcm = await say(text.replace('made', 'may'));
    const withoutCue = { ...DEFAULT_THRESHOLDS, finalStopScore: undefined };
    expect(made(judged(judge.judge(pcm, text, withoutCue))).verdict).toBe('good');
    const result = judged(judge.judge(pcm, text));
    expect(made(result).verdict).toBe('unclear');
    expect(made(result).phones[2]).toMatchObject({ ipa: 'd', dropped: true });
    expect(result.soundsToWorkOn.map((s) => s.sound)).toContain('final-consonant');
  });

  it('leaves made good when it is said as written', async () => {
    expect(made(judged(judge.judge(await say(text), text))).verdict).toBe('good');
  });
});
