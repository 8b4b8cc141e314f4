import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavHeader } from '../src/audio.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import { STREAM_SAMPLE_RATE } from '../src/stt/stream.ts';
import { rawRequest, type ApiErrorJson } from './helpers.ts';
import { SAMPLES_DIR, shippedWhisperFolder, streamAfterPass, streamPcm } from './whisper-model.ts';

interface Verbose {
  text: string;
  duration: number;
  words: { word: string; start: number; end: number }[];
}

let companion: CompanionHandle;

beforeAll(async () => {
  companion = await startCompanion({
    port: 0,
    cacheMaxMb: 0,
    stt: true,
    sttModel: shippedWhisperFolder(),
    log: () => {},
  });
  await Promise.all([companion.ready, companion.stt!.ready]);
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

function expectSameTranscript(streamed: Verbose, whole: Verbose): void {
  expect(streamed.text).toBe(whole.text);
  expect(streamed.words.map((word) => word.word)).toEqual(whole.words.map((word) => word.word));
  for (const [index, word] of streamed.words.entries()) {
    expect(word.start).toBeCloseTo(whole.words[index]!.start, 1);
    expect(word.end).toBeCloseTo(whole.words[index]!.end, 1);
  }
  expect(streamed.duration).toBeCloseTo(whole.duration, 2);
}

describe('transcription while the learner speaks', () => {
  it("answers from a pass made before the press when only silence followed it, with the whole upload's words", async () => {
    // 5.7 s: the sentence with its pause, then 2.5 s of quiet; the press comes 0.25 s after a pass heard the rest.
    const pcm = await samplePcm('learner-pause.wav');
    const streamed = await streamAfterPass(companion.url, pcm);
    expect(streamed.status).toBe(200);
    expect(streamed.pass).toBe('early');
    expectSameTranscript(streamed.body as unknown as Verbose, await uploaded(pcm));
    expect((streamed.body as unknown as Verbose).text).toBe('Yesterday I go to the park, with my friend.');
  });

  it('transcribes everything once more when the learner was still speaking at the press', async () => {
    // learner-books cut 2.5 s in, inside "evening": the last 0.25 s, sent at the press, is speech no pass heard.
    const pcm = (await samplePcm('learner-books.wav')).subarray(0, Math.round(2.5 * STREAM_SAMPLE_RATE) * 2);
    const streamed = await streamAfterPass(companion.url, pcm);
    expect(streamed.status).toBe(200);
    expect(streamed.pass).toBe('whole');
    expectSameTranscript(streamed.body as unknown as Verbose, await uploaded(pcm));
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
