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
import { loadJudge, soundsToWorkOn, type PronunciationJudge } from './judge';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const MODEL_BASE = fileURLToPath(new URL('../../node_modules/soundswallower/model/', import.meta.url));
const TEXT = 'Please turn on the light before you go upstairs';

let dir: string;
let judge: PronunciationJudge;

async function say(text: string, voice = 'en-us'): Promise<Float32Array> {
  const file = path.join(dir, `${voice}-${text.length}-${text.slice(0, 12).replace(/\W/g, '_')}.wav`);
  await makeSpeechWav([{ silenceMs: 300 }, text, { silenceMs: 300 }], file, { sampleRate: 16_000, voice });
  const bytes = await readFile(file);
  const wav = readPcmWav(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return wav!.channelData[0]!;
}

function judged(result: PronunciationJudgement): PronunciationResult {
  if (result.kind !== 'judged') throw new Error(`refused: ${result.reason}`);
  return result;
}

function word(result: PronunciationResult, text: string): WordJudgement {
  return result.words.find((w) => w.text === text)!;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-judge-'));
  judge = await loadJudge(MODEL_BASE);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the pronunciation judge on a sentence said as written', () => {
  it('says every word was said well, each with its time span in order, and scores the attempt above 80', async () => {
    const result = judged(judge.judge(await say(TEXT), TEXT));
    expect(result.words.map((w) => w.text)).toEqual(TEXT.split(' '));
    expect(result.words.map((w) => w.verdict)).toEqual(result.words.map(() => 'good'));
    expect(result.score).toBeGreaterThan(80);
    expect(result.soundsToWorkOn).toEqual([]);
    for (const [i, w] of result.words.entries()) {
      expect(w.end).toBeGreaterThan(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(result.words[i - 1]!.end);
    }
    // The audio starts with 0.3 s of quiet.
    expect(result.words[0]!.start).toBeGreaterThan(0.2);
    const light = word(result, 'light');
    expect(light.phones.map((p) => p.ipa)).toEqual(['l', 'aɪ', 't']);
  });
});

describe('the pronunciation judge on a word the dictionary says two ways', () => {
  it.each([
    ['I want to live near the sea when I retire', 'live', ['l', 'ɪ', 'v']],
    ['He wants to read the letter again before he answers', 'read', ['r', 'iː', 'd']],
  ])('"%s": %s is good, shown with the sounds it was said with', async (text, which, ipa) => {
    const result = judged(judge.judge(await say(text), text));
    expect(word(result, which).verdict).toBe('good');
    expect(word(result, which).phones.map((p) => p.ipa)).toEqual(ipa);
  });
});

describe('the pronunciation judge on a word swapped for its minimal-pair partner', () => {
  it('"right" where the text says "light": light is unclear, its /l/ heard as /r/, the sound to work on', async () => {
    const result = judged(judge.judge(await say(TEXT.replace('light', 'right')), TEXT));
    const light = word(result, 'light');
    expect(light.verdict).toBe('unclear');
    expect(light.phones[0]).toMatchObject({ ipa: 'l', heardInstead: 'r' });
    expect(light.phones[0]!.score).toBeLessThanOrEqual(30);
    expect(result.soundsToWorkOn[0]).toEqual({
      sound: 'l',
      ipa: 'l',
      word: 'light',
      heardInstead: 'r',
      kind: 'substituted',
    });
    expect(word(result, 'turn').verdict).toBe('good');
  });

  it('"sink" where the text says "think": the /θ/ heard as /s/ by its energy above 4 kHz', async () => {
    const text = 'I think we should leave before the rain starts';
    const asWritten = judged(judge.judge(await say(text), text));
    expect(word(asWritten, 'think').verdict).toBe('good');
    const result = judged(judge.judge(await say(text.replace('think', 'sink')), text));
    expect(word(result, 'think').verdict).toBe('unclear');
    expect(word(result, 'think').phones[0]).toMatchObject({ ipa: 'θ', heardInstead: 's' });
    expect(result.soundsToWorkOn.map((s) => s.sound)).toContain('th-voiceless');
    expect(word(result, 'think').score).toBeLessThan(word(asWritten, 'think').score!);
  });
});

describe('the pronunciation judge gives a reason instead of a score', () => {
  it('for a second of silence', () => {
    expect(judge.judge(new Float32Array(16_000), TEXT)).toEqual({
      kind: 'refused',
      reason: 'silent',
      messageKey: 'pronunciation.silent',
    });
  });

  it('for one word where the text has nine', async () => {
    expect(judge.judge(await say('please'), TEXT)).toMatchObject({ kind: 'refused', reason: 'too-short' });
  });

  it.each([
    ['French', 'fr', 'Je pense que nous devrions partir avant la pluie'],
    ['Chinese', 'cmn', '我觉得我们应该在下雨之前离开'],
  ])('for the sentence said in %s', async (_, voice, sentence) => {
    const text = 'I think we should leave before the rain starts';
    expect(judge.judge(await say(sentence, voice), text)).toMatchObject({
      kind: 'refused',
      reason: 'not-english',
      messageKey: 'pronunciation.notEnglish',
    });
  });

  it('for a text of words the dictionary lacks; one such word among known ones is only left unjudged', async () => {
    const pcm = await say(TEXT);
    expect(judge.judge(pcm, 'Xqzzt Vrrkl')).toMatchObject({ kind: 'refused', reason: 'unknown-words' });
    const result = judged(judge.judge(pcm, `${TEXT} Xqzzt`));
    expect(word(result, 'Xqzzt')).toMatchObject({ verdict: 'unknown', phones: [] });
    expect(word(result, 'Xqzzt').score).toBeUndefined();
  });
});

describe('the sounds to work on', () => {
  const phone = (arpabet: string, ipa: string, extra: object = {}) => ({
    arpabet,
    ipa,
    score: 30,
    start: 0,
    end: 0,
    ...extra,
  });

  it('are at most three, the most frequent first, each named once with the first word it went wrong in', () => {
    const words: WordJudgement[] = [
      {
        text: 'light',
        verdict: 'unclear',
        start: 0,
        end: 1,
        score: 50,
        phones: [phone('L', 'l', { heardInstead: 'r' })],
      },
      {
        text: 'very',
        verdict: 'unclear',
        start: 0,
        end: 1,
        score: 50,
        phones: [phone('V', 'v', { heardInstead: 'w' })],
      },
      {
        text: 'long',
        verdict: 'unclear',
        start: 0,
        end: 1,
        score: 50,
        phones: [phone('L', 'l', { heardInstead: 'n' })],
      },
      {
        text: 'sheep',
        verdict: 'unclear',
        start: 0,
        end: 1,
        score: 50,
        phones: [phone('IY', 'iː', { heardInstead: 'ɪ' })],
      },
      {
        text: 'card',
        verdict: 'unclear',
        start: 0,
        end: 1,
        score: 50,
        phones: [phone('K', 'k'), phone('AA', 'ɑ'), phone('R', 'r'), phone('D', 'd', { score: 0, dropped: true })],
      },
      { text: 'gone', verdict: 'missed', start: 0, end: 0, score: 0, phones: [phone('G', 'ɡ', { dropped: true })] },
    ];
    expect(soundsToWorkOn(words)).toEqual([
      { sound: 'l', ipa: 'l', word: 'light', heardInstead: 'r', kind: 'substituted' },
      { sound: 'v', ipa: 'v', word: 'very', heardInstead: 'w', kind: 'substituted' },
      { sound: 'long-ee', ipa: 'iː', word: 'sheep', heardInstead: 'ɪ', kind: 'substituted' },
    ]);
  });
});
