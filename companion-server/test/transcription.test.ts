import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';
import { wordErrors } from '../../script/voices/wer.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import { rawRequest, type ApiErrorJson } from './helpers.ts';
import { SAMPLES_DIR, firstSound, lastSound, multipartBody, shippedWhisperFolder, streamPcm } from './whisper-model.ts';

interface VerboseJson {
  task: string;
  language: string;
  duration: number;
  text: string;
  segments?: { start: number; end: number; text: string }[];
  words?: { word: string; start: number; end: number }[];
}

const TOKEN = 'correct-horse-battery';
const AITALK = `chrome-extension://${AITALK_EXTENSION_ID}`;
let folder: string;
let open: CompanionHandle;
let locked: CompanionHandle;

beforeAll(async () => {
  folder = shippedWhisperFolder();
  [open, locked] = await Promise.all([
    startCompanion({ port: 0, cacheMaxMb: 0, stt: true, sttModel: folder, sttMaxMb: 1, log: () => {} }),
    // The guard runs before every route, so transcription need not be loaded to show the token is asked for.
    startCompanion({ port: 0, cacheMaxMb: 0, token: TOKEN, log: () => {} }),
  ]);
  await Promise.all([open.ready, open.stt!.ready, locked.ready]);
}, 90_000);

afterAll(async () => {
  await Promise.all([open?.close(), locked?.close()]);
});

async function sample(name: string): Promise<Buffer> {
  return readFile(path.join(SAMPLES_DIR, name));
}

function form(file: Buffer | string | null, fields: Record<string, string | string[]> = {}, name = 'turn.wav') {
  const body = new FormData();
  if (typeof file === 'string') body.append('file', file);
  else if (file) body.append('file', new Blob([new Uint8Array(file)]), name);
  for (const [key, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(key, one);
  }
  return body;
}

async function transcribe(companion: CompanionHandle, body: FormData, headers: Record<string, string> = {}) {
  const { body: bytes, contentType } = await multipartBody(body);
  return rawRequest(`${companion.url}/v1/audio/transcriptions`, {
    method: 'POST',
    // A refusal answers before the upload is read and the server then drops the connection; a kept-alive socket
    // reused for the next request would be that dropped one.
    headers: { 'content-type': contentType, connection: 'close', ...headers },
    body: bytes,
  });
}

function errorOf(response: { json<T>(): T }): ApiErrorJson['error'] {
  return response.json<ApiErrorJson>().error;
}

describe('transcription of a learner, verbatim, with word timings', () => {
  it('keeps the learner\'s mistake ("I go") and times each word inside the speech, not the silence around it', async () => {
    const response = await transcribe(
      open,
      form(await sample('learner-yesterday.wav'), {
        model: 'whisper-1',
        response_format: 'verbose_json',
        'timestamp_granularities[]': 'word',
      }),
    );
    expect(response.status).toBe(200);
    const result = response.json<VerboseJson>();
    expect(result.text).toBe('Yesterday I go to the park with my friend.');
    expect(result).toMatchObject({ task: 'transcribe', language: 'english' });
    expect(result.duration).toBeCloseTo(3.558, 2);
    const words = result.words!;
    expect(words.map((word) => word.word.replace(/[.,]/g, ''))).toEqual(
      'Yesterday I go to the park with my friend'.split(' '),
    );
    // The sample has 0.4 s of silence before the sentence and 0.8 s after it.
    expect(words[0]!.start).toBeGreaterThanOrEqual(0.25);
    expect(words[0]!.start).toBeLessThan(0.8);
    expect(words.at(-1)!.end).toBeGreaterThan(2.2);
    expect(words.at(-1)!.end).toBeLessThanOrEqual(result.duration - 0.5);
    for (const [index, word] of words.entries()) {
      expect(word.end).toBeGreaterThan(word.start);
      if (index > 0) expect(word.start).toBeGreaterThanOrEqual(words[index - 1]!.end);
    }
  });

  it('shows a pause in the middle of a sentence as a gap between two words, and none elsewhere', async () => {
    const response = await transcribe(
      open,
      form(await sample('learner-pause.wav'), { response_format: 'verbose_json', 'timestamp_granularities[]': 'word' }),
    );
    const words = response.json<VerboseJson>().words!;
    const gaps = words.slice(1).map((word, index) => ({
      after: words[index]!.word.replace(/[.,]/g, ''),
      gap: word.start - words[index]!.end,
    }));
    const pause = gaps.find((gap) => gap.after === 'park');
    expect(pause?.gap).toBeGreaterThanOrEqual(0.25);
    for (const gap of gaps.filter((one) => one !== pause)) expect(gap.gap).toBeLessThan(0.15);
  });

  it('ends the last word with its sound, not with the quiet after it, and starts the first with its sound', async () => {
    const audio = await sample('learner-pause.wav');
    const response = await transcribe(
      open,
      form(audio, { response_format: 'verbose_json', 'timestamp_granularities[]': ['word', 'segment'] }),
    );
    const { words, segments } = response.json<VerboseJson>();
    const pcm = streamPcm(audio);
    const spoken = lastSound(pcm);
    // tiny.en writes this sample's end as "friend..." and gives that word the 2.8 s of quiet after it (to 5.74 s).
    expect(words!.at(-1)!.end).toBeGreaterThan(spoken - 0.2);
    expect(words!.at(-1)!.end).toBeLessThanOrEqual(spoken + 0.15);
    expect(segments!.at(-1)!.end).toBeLessThanOrEqual(spoken + 0.15);
    expect(words![0]!.start).toBeGreaterThanOrEqual(firstSound(pcm) - 0.1);
  });

  it("hears what the companion's own eSpeak said", async () => {
    const sentence = 'Please close the window before the meeting starts.';
    const spoken = await fetch(`${open.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: sentence, response_format: 'wav' }),
    });
    const wav = Buffer.from(await spoken.arrayBuffer());
    const response = await transcribe(open, form(wav, { response_format: 'json' }));
    expect(response.status).toBe(200);
    expect(wordErrors(sentence, response.json<{ text: string }>().text).errors).toBe(0);
  });

  it('answers text as plain text and json as {"text"} only', async () => {
    const audio = await sample('learner-books.wav');
    const text = await transcribe(open, form(audio, { response_format: 'text' }));
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body.toString('utf8')).toBe('I like to read books in the evening.\n');
    const json = await transcribe(open, form(audio));
    expect(json.json()).toEqual({ text: 'I like to read books in the evening.' });
  });

  it("works with the openai SDK's audio.transcriptions.create unchanged", async () => {
    const client = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
    const file = await toFile(await sample('learner-books.wav'), 'turn.wav', { type: 'audio/wav' });
    const verbose = await client.audio.transcriptions.create({
      file,
      model: 'whisper-1',
      language: 'en',
      prompt: 'A learner of English speaks.',
      temperature: 0,
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(verbose.text).toBe('I like to read books in the evening.');
    expect(verbose.words?.map((word) => word.word)).toHaveLength(8);
    expect(verbose.segments?.[0]?.text.trim()).toBe('I like to read books in the evening.');
    const plain = await client.audio.transcriptions.create({
      file: await toFile(await sample('learner-books.wav'), 'turn.wav'),
      model: 'whisper-1',
    });
    expect(plain.text).toBe('I like to read books in the evening.');
  });
});

describe('refusals, each with a message that says what to do', () => {
  it.each([
    ['no file', () => form(null, { model: 'whisper-1' }), /"file" is required/, 'file'],
    ['a file that is a text field', () => form('hello'), /must be a file upload/, 'file'],
    ['an empty file', () => form(Buffer.alloc(0)), /"file" is empty.*record again/, 'file'],
    ['an unknown format', () => form(Buffer.alloc(10), { response_format: 'srt' }), /json, text, verbose_json/],
    ['a temperature out of range', () => form(Buffer.alloc(10), { temperature: '3' }), /from 0 to 1/],
    ['an unknown granularity', () => form(Buffer.alloc(10), { 'timestamp_granularities[]': 'char' }), /"word"/],
    ['a language the model lacks', () => form(Buffer.alloc(10), { language: 'fr' }), /English only; send "en"/],
    ['streaming', () => form(Buffer.alloc(10), { stream: 'true' }), /"stream" is not supported/],
  ])('%s → 400', async (_name, body, message, param = undefined) => {
    const response = await transcribe(open, body());
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toMatch(message);
    if (param) expect(errorOf(response).param).toBe(param);
  });

  it('a body that is not multipart → 400 naming the form it needs', async () => {
    const response = await rawRequest(`${open.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"file": "x"}',
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toMatch(/multipart\/form-data with a "file" field/);
  });

  it('audio that cannot be decoded → 400 without the server path, and the next request is served', async () => {
    const response = await transcribe(open, form(randomBytes(4000), {}, 'turn.webm'));
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ param: 'file' });
    expect(errorOf(response).message).toMatch(/could not be decoded as audio.*send WAV, WebM\/Opus/);
    expect(errorOf(response).message).not.toMatch(/aitalk-stt-/);
    const after = await transcribe(open, form(await sample('learner-books.wav')));
    expect(after.status).toBe(200);
  });

  it('an upload over --stt-max-mb → 413 saying what to do', async () => {
    const response = await transcribe(open, form(Buffer.alloc(1_200_000, 1)));
    expect(response.status).toBe(413);
    expect(errorOf(response).message).toMatch(/over 1 MB.*shorter recording.*--stt-max-mb/);
  });

  it("a DNS-rebinding page's Host → 403, a web page's Origin → 403 without CORS, AITalk's origin → 200 with CORS", async () => {
    // The refused requests carry a small body: the refusal comes before the body is read.
    const small = form(Buffer.alloc(64));
    const rebinding = await transcribe(open, small, { host: `attacker.example:${open.port}` });
    expect(rebinding.status).toBe(403);
    expect(errorOf(rebinding).message).toMatch(/Host "attacker\.example/);
    const page = await transcribe(open, small, { origin: 'https://attacker.example' });
    expect(page.status).toBe(403);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    const aitalk = await transcribe(open, form(await sample('learner-books.wav')), { origin: AITALK });
    expect(aitalk.status).toBe(200);
    expect(aitalk.headers['access-control-allow-origin']).toBe(AITALK);
  });

  it('a missing token → 401; with it the request reaches the route', async () => {
    const audio = Buffer.alloc(64);
    const without = await transcribe(locked, form(audio));
    expect(without.status).toBe(401);
    expect(without.headers['www-authenticate']).toBe('Bearer');
    const withToken = await transcribe(locked, form(audio), { authorization: `Bearer ${TOKEN}` });
    // This companion was started without --stt: the route says how to turn it on.
    expect(withToken.status).toBe(404);
    expect(errorOf(withToken).message).toMatch(/start it with --stt/);
  });

  it('GET on the route → 405 with Allow: POST', async () => {
    const response = await rawRequest(`${open.url}/v1/audio/transcriptions`);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });
});
