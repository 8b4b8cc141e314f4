import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavHeader } from '../src/audio.ts';
import type { CompanionHandle } from '../src/server.ts';
import { STREAM_SAMPLE_RATE } from '../src/stt/stream.ts';
import { rawRequest, type ApiErrorJson } from './helpers.ts';
import { SAMPLES_DIR, lastSound, startWhisperCompanion, streamPcm, streamPieces } from './whisper-model.ts';

interface Verbose {
  text: string;
  duration: number;
  words: { word: string; start: number; end: number }[];
}

let companion: CompanionHandle;

beforeAll(async () => {
  companion = await startWhisperCompanion();
}, 90_000);

afterAll(async () => {
  await companion?.close();
});

async function samplePcm(name: string): Promise<Buffer> {
  return streamPcm(await readFile(path.join(SAMPLES_DIR, name)));
}

/** The same audio uploaded whole, as an upload after the recording would send it. */
async function uploaded(pcm: Buffer): Promise<Verbose> {
  const body = new FormData();
  const wav = Buffer.concat([wavHeader(STREAM_SAMPLE_RATE, pcm.length), pcm]);
  body.append('file', new Blob([new Uint8Array(wav)]), 'turn.wav');
  body.append('response_format', 'verbose_json');
  body.append('timestamp_granularities[]', 'word');
  const response = await fetch(`${companion.url}/v1/audio/transcriptions`, { method: 'POST', body });
  return (await response.json()) as Verbose;
}

/**
 * The same text and words; each word's times within 0.1 s of the upload's (a pass that heard 0.3–0.55 s of the quiet
 * may place the last word's end up to 0.08 s differently from one that heard all of it: within Whisper's own
 * precision, and far below what the session card's pauses and words per minute notice).
 */
function expectSameTranscript(streamed: Verbose, whole: Verbose): void {
  expect(streamed.text).toBe(whole.text);
  expect(streamed.words.map((word) => word.word)).toEqual(whole.words.map((word) => word.word));
  for (const [index, word] of streamed.words.entries()) {
    expect(Math.abs(word.start - whole.words[index]!.start)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(word.end - whole.words[index]!.end)).toBeLessThanOrEqual(0.1);
  }
  expect(streamed.duration).toBeCloseTo(whole.duration, 2);
}

/**
 * Where the last 30 ms frame louder than the companion's quiet ends, in seconds: within one frame (FRAME) of where the
 * companion finds it, whose frames start elsewhere.
 */
const FRAME = 0.03;

function cut(pcm: Buffer, seconds: number): Buffer {
  const end = Math.round(seconds * STREAM_SAMPLE_RATE) * 2;
  expect(end).toBeLessThanOrEqual(pcm.length);
  return pcm.subarray(0, end);
}

describe('transcription while the learner speaks', () => {
  it("answers from the pass the pause started when the press comes 0.4 s after the last word, with the upload's words", async () => {
    // learner-books has no pause inside its sentence; the press comes while the pass the final pause started runs.
    const books = await samplePcm('learner-books.wav');
    const pcm = cut(books, lastSound(books) + 0.4);
    const streamed = await streamPieces(companion.url, pcm, { settle: false });
    expect(streamed.status).toBe(200);
    expect(streamed.pass).toBe('early');
    expectSameTranscript(streamed.body as unknown as Verbose, await uploaded(pcm));
  });

  it('starts no pass while the learner speaks, one at the pause, one more once it lasted 1 s, and answers from that', async () => {
    // learner-pause, 1.5 s after its last word: the 0.48 s pause inside its sentence spans three 0.25 s pieces and
    // none of them ends with 0.3 s of it, so all the passes here are the final pause's.
    const sample = await samplePcm('learner-pause.wav');
    const spoken = lastSound(sample);
    const pcm = cut(sample, spoken + 1.5);
    const streamed = await streamPieces(companion.url, pcm, { settle: true });
    expect(streamed.pass).toBe('early');
    // Pieces are 0.25 s: each pass begins within 0.25 s of its quiet having come.
    expect(streamed.heard).toHaveLength(2);
    expect(streamed.heard[0]).toBeGreaterThanOrEqual(spoken + 0.3 - FRAME);
    expect(streamed.heard[0]).toBeLessThanOrEqual(spoken + 0.55 + FRAME);
    expect(streamed.heard[1]).toBeGreaterThanOrEqual(spoken + 1 - FRAME);
    expect(streamed.heard[1]).toBeLessThanOrEqual(spoken + 1.25 + FRAME);
    expectSameTranscript(streamed.body as unknown as Verbose, await uploaded(pcm));
  });

  it('transcribes everything once more when the learner was still speaking at the press', async () => {
    // learner-pause cut at 2.7 s, inside "with my friend": the pass its mid-sentence pause started heard less.
    // Pieces of 0.1 s, so that a piece ends inside the 0.48 s pause with 0.3 s of it heard.
    const pcm = cut(await samplePcm('learner-pause.wav'), 2.7);
    const streamed = await streamPieces(companion.url, pcm, { settle: true, pieceSeconds: 0.1 });
    expect(streamed.status).toBe(200);
    expect(streamed.heard).toHaveLength(1);
    expect(streamed.heard[0]).toBeLessThan(2.5);
    expect(streamed.pass).toBe('whole');
    expectSameTranscript(streamed.body as unknown as Verbose, await uploaded(pcm));
  });

  it('keeps the words after a pause in the middle of the sentence', async () => {
    // 5.7 s: "Yesterday I go to the park," a 0.5 s pause, "with my friend.", then 2.8 s of quiet.
    const pcm = await samplePcm('learner-pause.wav');
    const streamed = await streamPieces(companion.url, pcm, { settle: true, pieceSeconds: 0.1 });
    // The pause inside the sentence, the pause after it, and that pause once it lasted 1 s.
    expect(streamed.heard).toHaveLength(3);
    expect(streamed.heard[0]).toBeLessThan(2.5);
    expect(streamed.heard[1]).toBeGreaterThanOrEqual(lastSound(pcm) + 0.3 - FRAME);
    expect(streamed.heard[2]).toBeGreaterThanOrEqual(lastSound(pcm) + 1 - FRAME);
    expect(streamed.pass).toBe('early');
    expectSameTranscript(streamed.body as unknown as Verbose, await uploaded(pcm));
    expect((streamed.body as unknown as Verbose).text).toBe('Yesterday I go to the park, with my friend.');
  });

  it('refuses what it cannot use, saying what to do', async () => {
    const unknown = await rawRequest(`${companion.url}/v1/audio/transcriptions/stream/nope/end`, {
      method: 'POST',
      headers: { connection: 'close' },
      body: Buffer.alloc(320),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json<ApiErrorJson>().error.message).toMatch(/open a new one/);

    const badOpen = await rawRequest(`${companion.url}/v1/audio/transcriptions/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: '{"response_format": "srt"}',
    });
    expect(badOpen.status).toBe(400);
    expect(badOpen.json<ApiErrorJson>().error.message).toMatch(/json, text, verbose_json/);

    const webPage = await rawRequest(`${companion.url}/v1/audio/transcriptions/stream`, {
      method: 'POST',
      headers: { origin: 'https://attacker.example', connection: 'close' },
      body: '{}',
    });
    expect(webPage.status).toBe(403);

    const opened = await fetch(`${companion.url}/v1/audio/transcriptions/stream`, { method: 'POST' });
    const { id } = (await opened.json()) as { id: string };
    const odd = await rawRequest(`${companion.url}/v1/audio/transcriptions/stream/${id}`, {
      method: 'POST',
      headers: { connection: 'close' },
      body: Buffer.alloc(3),
    });
    expect(odd.status).toBe(400);
    expect(odd.json<ApiErrorJson>().error.message).toMatch(/whole number of 2-byte samples/);
    const empty = await rawRequest(`${companion.url}/v1/audio/transcriptions/stream/${id}/end`, {
      method: 'POST',
      headers: { connection: 'close' },
    });
    expect(empty.status).toBe(400);
    expect(empty.json<ApiErrorJson>().error.message).toMatch(/no audio: record again/);
  });
});
