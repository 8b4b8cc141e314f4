import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trimSilence } from '../../script/bench/analysis.ts';
import { makeSpeechWav } from '../../script/lib/speech-wav.ts';
import { encodePcm16, readPcm16 } from '../../script/lib/wav.ts';
import { wordErrors } from '../../script/voices/wer.ts';
import type { CompanionHandle } from '../src/server.ts';
import { tempDir } from './helpers.ts';
import { SAMPLES_DIR, multipartBody, startWhisperCompanion } from './whisper-model.ts';

// The extension's default transcription prompt (DEFAULT_TRANSCRIPTION_PROMPT in features/settings/settings.ts): its
// "and, uh," is what tiny.en repeated into the quiet, so these recordings are sent with it, as the extension sends them.
const EXTENSION_PROMPT = 'Um, so yesterday I go to the park, and, uh, I buyed a ice cream.';
const RATE = 48_000;

interface Verbose {
  text: string;
  words: { word: string; start: number; end: number }[];
}

let work: { dir: string; remove: () => Promise<void> };
let companion: CompanionHandle;

beforeAll(async () => {
  work = await tempDir('aitalk-stt-repetition-');
  companion = await startWhisperCompanion();
}, 90_000);

afterAll(async () => {
  await companion?.close();
  await work?.remove();
});

const quiet = (ms: number) => new Int16Array(Math.round((ms / 1000) * RATE));

function join(pieces: Int16Array[]): Int16Array {
  const all = new Int16Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    all.set(piece, offset);
    offset += piece.length;
  }
  return all;
}

/** espeak-ng saying `text`, its own lead-in and tail cut off, as script/bench.ts builds its hands-free recording. */
async function spoken(text: string): Promise<Int16Array> {
  const file = await makeSpeechWav([text], path.join(work.dir, `${text.length}-${Date.now()}.wav`), {
    sampleRate: RATE,
  });
  return trimSilence(readPcm16(await readFile(file)).samples, RATE);
}

/** The hands-free turn of script/bench.ts (script/bench/turns.ts's two halves, 400 ms apart), then `quietMs`. */
async function handsFreeTurn(quietMs: number): Promise<{ wav: Buffer; speechEnds: number }> {
  const first = await spoken('I went to the market yesterday');
  const second = await spoken('and I bought some fresh apples');
  const speech = join([quiet(500), first, quiet(400), second]);
  return { wav: encodePcm16(join([speech, quiet(quietMs)]), RATE), speechEnds: speech.length / RATE };
}

async function learnerPauseThenQuiet(quietMs: number): Promise<{ wav: Buffer; speechEnds: number }> {
  const { samples } = readPcm16(await readFile(path.join(SAMPLES_DIR, 'learner-pause.wav')));
  // script/samples/README.md: the sentence is followed by 2.5 s of silence.
  return { wav: encodePcm16(join([samples, quiet(quietMs)]), RATE), speechEnds: samples.length / RATE - 2.5 };
}

/** "Um, okay." with 6 s of quiet on each side: quiet before a short answer must not make it disappear. */
async function shortAnswerInQuiet(): Promise<{ wav: Buffer; speechEnds: number }> {
  const answer = await spoken('Um, okay.');
  return {
    wav: encodePcm16(join([quiet(6000), answer, quiet(6000)]), RATE),
    speechEnds: (quiet(6000).length + answer.length) / RATE,
  };
}

async function transcribe(wav: Buffer): Promise<Verbose> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(wav)]), 'turn.wav');
  form.append('model', 'whisper-1');
  form.append('language', 'en');
  form.append('prompt', EXTENSION_PROMPT);
  form.append('temperature', '0');
  form.append('response_format', 'verbose_json');
  form.append('timestamp_granularities[]', 'word');
  const { body, contentType } = await multipartBody(form);
  const response = await fetch(`${companion.url}/v1/audio/transcriptions`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Verbose;
}

/** The phrases of `size` words said more than twice, with how often. */
function repeated(text: string, size = 4): string[] {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  const counts = new Map<string, number>();
  for (let index = 0; index + size <= words.length; index++) {
    const phrase = words.slice(index, index + size).join(' ');
    counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count > 2).map(([phrase, count]) => `"${phrase}" ×${count}`);
}

describe('quiet after (or around) what the learner said is not filled with repetitions', () => {
  it.each([
    [
      "the bench's hands-free turn, 3 s of quiet after it",
      () => handsFreeTurn(3000),
      'I went to the market yesterday and I bought some fresh apples',
    ],
    [
      'the hands-free turn as the panel ends it, 650 ms after the last word',
      () => handsFreeTurn(650),
      'I went to the market yesterday and I bought some fresh apples',
    ],
    [
      'learner-pause.wav with 3 s more quiet (5.5 s in all)',
      () => learnerPauseThenQuiet(3000),
      'Yesterday I go to the park with my friend',
    ],
    ['a short answer with 6 s of quiet on each side', shortAnswerInQuiet, 'Um, okay'],
  ])(
    '%s: the words said, once, none in the quiet',
    async (_name, make, said) => {
      const { wav, speechEnds } = await make();
      const result = await transcribe(wav);
      expect(repeated(result.text)).toEqual([]);
      expect({ text: result.text, errors: wordErrors(said, result.text).errors }).toMatchObject({ errors: 0 });
      expect(result.words.length).toBe(said.split(' ').length);
      // No word starts in the quiet after the speech, and none runs on into it: when tiny.en writes "friend..." it
      // stretches the last word to the end of the recording, and the worker narrows it to the sound.
      expect(result.words.at(-1)!.start).toBeLessThan(speechEnds);
      expect(result.words.at(-1)!.end).toBeLessThan(speechEnds + 0.5);
    },
    60_000,
  );
});
