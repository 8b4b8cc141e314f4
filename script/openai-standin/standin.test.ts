import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recognizeSentence } from '../lib/recognize.ts';
import { run } from '../lib/run.ts';
import { makeSilenceWav, makeSpeechWav } from '../lib/speech-wav.ts';
import { loadOpenApiValidator, type OpenApiValidator } from './openapi-validator.ts';
import { startStandin, type Standin } from './server.ts';
import { LONG_OPENING } from './teacher.ts';

const CANDIDATES = [
  'Yesterday I go to the park with my friend.',
  'I like to read books in the evening.',
  'What is your favourite food?',
];
const KEY = 'sk-test-aitalk';

let standin: Standin;
let validator: OpenApiValidator;
let dir: string;
let learnerWav: string;

const client = (options: { maxRetries?: number; apiKey?: string } = {}) =>
  new OpenAI({
    apiKey: options.apiKey ?? KEY,
    baseURL: standin.url,
    maxRetries: options.maxRetries ?? 0,
    timeout: 10_000,
  });

beforeAll(async () => {
  [standin, validator, dir] = await Promise.all([
    startStandin({ latencyProfile: 'fast', candidates: CANDIDATES }),
    loadOpenApiValidator(),
    mkdtemp(path.join(os.tmpdir(), 'aitalk-standin-test-')),
  ]);
  learnerWav = await makeSpeechWav(
    [{ silenceMs: 300 }, CANDIDATES[0]!, { silenceMs: 700 }],
    path.join(dir, 'learner.wav'),
  );
});

afterAll(async () => {
  await standin?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  standin.control.reset();
});

/** Reads an SSE body to the end and returns its `data:` payloads in order, with arrival times. */
async function readSse(response: Response): Promise<Array<{ data: string; at: number }>> {
  const events: Array<{ data: string; at: number }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(piece, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n'))
        if (line.startsWith('data: ')) events.push({ data: line.slice(6), at: performance.now() });
    }
  }
  return events;
}

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a patient English teacher.' },
    { role: 'user', content: 'Yesterday I go to the park with my friend.' },
  ],
  ...extra,
});

const post = (pathname: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${standin.url}${pathname}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('transcription', () => {
  it('recognises the sentence spoken in an uploaded WAV and records the upload', async () => {
    const result = await client().audio.transcriptions.create({
      file: await toFile(await readFile(learnerWav), 'turn-1.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
      language: 'en',
    });
    expect(result.text).toBe(CANDIDATES[0]);
    const [rec] = standin.requests;
    expect(rec).toMatchObject({
      endpoint: 'transcriptions',
      valid: true,
      status: 200,
      transcript: CANDIDATES[0],
      fields: { model: 'whisper-1', language: 'en' },
      file: { field: 'file', filename: 'turn-1.wav', contentType: 'audio/wav' },
    });
    expect(rec?.file?.size).toBe((await readFile(learnerWav)).length);
    expect(rec?.headers.authorization).toBe('Bearer [redacted]');
  });

  it("decodes Chromium's webm/opus and answers plain text when asked", async () => {
    const webm = path.join(dir, 'turn.webm');
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-i',
      learnerWav,
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      webm,
    ]);
    const text = await client().audio.transcriptions.create({
      file: await toFile(await readFile(webm), 'turn.webm', { type: 'audio/webm' }),
      model: 'whisper-1',
      response_format: 'text',
    });
    expect(text.trim()).toBe(CANDIDATES[0]);
  });

  it('returns empty text for silence or a sentence it was not told about, and a fixed transcript when set', async () => {
    const silence = await makeSilenceWav(1000, path.join(dir, 'silence.wav'));
    const other = await makeSpeechWav(['The cat sat on the mat and looked at the dog.'], path.join(dir, 'other.wav'));
    const upload = async (file: string) =>
      (
        await client().audio.transcriptions.create({
          file: await toFile(await readFile(file), 'a.wav', { type: 'audio/wav' }),
          model: 'whisper-1',
        })
      ).text;
    expect(await upload(silence)).toBe('');
    expect(await upload(other)).toBe('');
    standin.control.setTranscript('A fixed sentence for the bench.');
    expect(await upload(silence)).toBe('A fixed sentence for the bench.');
  });

  it('refuses an upload that is not audio, and one that is too short', async () => {
    const notAudio = client().audio.transcriptions.create({
      file: await toFile(Buffer.from('hello, not audio'), 'a.webm', { type: 'audio/webm' }),
      model: 'whisper-1',
    });
    await expect(notAudio).rejects.toMatchObject({
      status: 400,
      error: { message: expect.stringMatching(/^Invalid file format/) },
    });
    const tiny = await makeSilenceWav(50, path.join(dir, 'tiny.wav'));
    const short = client().audio.transcriptions.create({
      file: await toFile(await readFile(tiny), 'a.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
    });
    await expect(short).rejects.toMatchObject({ status: 400, code: 'audio_too_short' });
  });

  it('waits the configured transcription latency', async () => {
    standin.control.setLatency({ transcriptionMs: 600 });
    const started = performance.now();
    await client().audio.transcriptions.create({
      file: await toFile(await readFile(learnerWav), 'a.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
  });
});

describe('chat completions', () => {
  it('streams the reply chunk by chunk, each chunk shaped as the spec says, ending with [DONE]', async () => {
    standin.control.setLatency({ firstTokenMs: 300, tokensPerSecond: 100 });
    const started = performance.now();
    const response = await post('/chat/completions', chatBody({ stream: true }));
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(response);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e.data) as {
          id: string;
          choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
        },
    );
    for (const chunk of chunks)
      expect(validator.validate('CreateChatCompletionStreamResponse', chunk)).toEqual({ valid: true });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    const reply = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(reply).toContain('Yesterday I went to the park');
    expect(reply).toMatch(/\?$/);
    const words = reply.split(/\s+/).length;
    expect(words).toBeGreaterThan(80);
    expect(words).toBeLessThan(125);
    expect(chunks.length).toBeGreaterThan(words);
    // Tokens arrive over time: the first after ~300 ms, the rest at ~100 a second.
    const first = events[0]!.at - started;
    expect(first).toBeGreaterThanOrEqual(290);
    expect(events.at(-1)!.at - events[0]!.at).toBeGreaterThan((chunks.length - 3) * 10 * 0.8);
    expect(standin.requests[0]).toMatchObject({ valid: true, status: 200, aborted: false, reply });
  });

  it('opens with one long sentence when asked (over the control API), and still corrects the learner', async () => {
    const set = await fetch(`${standin.origin}/__control/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replyStyle: 'long-opening' }),
    });
    expect(set.status).toBe(200);
    const reply = (
      (await (await post('/chat/completions', chatBody())).json()) as {
        choices: Array<{ message: { content: string } }>;
      }
    ).choices[0]!.message.content;
    expect(reply.startsWith(`${LONG_OPENING} You said:`)).toBe(true);
    // Long, but under the splitter's 25-word cut: only the first-clause rule can shorten it.
    expect(LONG_OPENING.split(' ').length).toBeGreaterThan(20);
    expect(LONG_OPENING.split(' ').length).toBeLessThanOrEqual(25);
    expect(reply).toContain('Yesterday I went to the park');
    const wrong = await fetch(`${standin.origin}/__control/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replyStyle: 'shouty' }),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('correction-first, long-opening');
  });

  it('works with the openai SDK stream, and remembers the earlier turn', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are a patient English teacher.' },
        { role: 'assistant', content: 'What did you do last weekend?' },
        { role: 'user', content: 'Yesterday I go to the park with my friend.' },
        { role: 'assistant', content: 'A better way to say it is: Yesterday I went to the park.' },
        { role: 'user', content: 'I like to read books in the evening.' },
      ],
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toContain('I like to read books in the evening.');
    expect(text).toContain('Earlier you told me: “Yesterday I go to the park with my friend.”');
    expect(usage?.completion_tokens).toBeGreaterThan(50);
  });

  it('answers a non-streamed request with a whole completion shaped as the spec says', async () => {
    const completion = await client().chat.completions.create(
      chatBody() as OpenAI.ChatCompletionCreateParamsNonStreaming,
    );
    expect(validator.validate('CreateChatCompletionResponse', completion)).toEqual({ valid: true });
    expect(completion.choices[0]?.message.content).toContain('Yesterday I went to the park');
  });

  it('opens a new conversation with a question when there is no learner turn yet', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Teach me.' }],
    });
    expect(completion.choices[0]?.message.content).toMatch(/\?$/);
  });

  it('stops streaming when the client goes away, and records that it did', async () => {
    standin.control.setLatency({ firstTokenMs: 0, tokensPerSecond: 50 });
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      { ...chatBody(), stream: true } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    let received = 0;
    // The SDK ends the iteration quietly (or throws, depending on timing) when its signal aborts.
    try {
      for await (const _chunk of stream) {
        received += 1;
        if (received === 5) controller.abort();
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    expect(received).toBeLessThan(8);
    await expect.poll(() => standin.requests[0]?.aborted, { timeout: 2000 }).toBe(true);
    const partial = standin.requests[0]?.reply ?? '';
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing more was generated after the abort.
    expect(standin.requests[0]?.reply).toBe(partial);
    expect(partial.split(/\s+/).length).toBeLessThan(30);
  });
});

describe('request validation against the OpenAPI description', () => {
  it('refuses a chat request without a model', async () => {
    const response = await post('/chat/completions', { messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: "Missing required parameter: 'model'.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'missing_required_parameter',
      },
    });
    expect(standin.requests[0]).toMatchObject({ valid: false, status: 400 });
    expect(standin.requests[0]?.validationErrors.join(' ')).toContain('model');
  });

  it('refuses a message with a role the API does not know', async () => {
    const error = await client()
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'teacher', content: 'Hi' }],
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      param: 'messages[0].role',
      code: 'invalid_value',
      type: 'invalid_request_error',
    });
  });

  it('refuses an empty conversation, a wrongly typed option and a body that is not JSON', async () => {
    expect((await post('/chat/completions', { model: 'gpt-4o-mini', messages: [] })).status).toBe(400);
    const typed = await post('/chat/completions', chatBody({ temperature: 'warm' }));
    expect(((await typed.json()) as { error: { param: string } }).error.param).toBe('temperature');
    const notJson = await post('/chat/completions', '{"model": "gpt-4o-mini",');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(
      /could not parse the JSON body/,
    );
  });

  it('refuses a transcription upload without a file, or with the file as text', async () => {
    const form = new FormData();
    form.append('model', 'whisper-1');
    const noFile = await fetch(`${standin.url}/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: { param: string; code: string } }).error).toMatchObject({
      param: 'file',
      code: 'missing_required_parameter',
    });
    form.append('file', 'not-a-file');
    const textFile = await fetch(`${standin.url}/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    });
    expect(textFile.status).toBe(400);
    const json = await fetch(`${standin.url}/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"model":"whisper-1"}',
    });
    expect(json.status).toBe(400);
    expect(standin.requests.map((r) => r.valid)).toEqual([false, false, false]);
  });

  it('refuses a speech request with an unknown format or an unknown argument', async () => {
    const format = await post('/audio/speech', { model: 'tts-1', input: 'Hi', voice: 'alloy', response_format: 'ogg' });
    expect(format.status).toBe(400);
    expect(((await format.json()) as { error: { param: string } }).error.param).toBe('response_format');
    const extra = await post('/audio/speech', { model: 'tts-1', input: 'Hi', voice: 'alloy', volume: 2 });
    expect(((await extra.json()) as { error: { message: string } }).error.message).toBe(
      'Unrecognized request argument supplied: volume',
    );
  });
});

describe('speech and models', () => {
  it('speaks the input as a WAV that says that sentence', async () => {
    const response = await client().audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: CANDIDATES[1]!,
      response_format: 'wav',
    });
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const audio = Buffer.from(await response.arrayBuffer());
    expect(audio.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(await recognizeSentence(audio, CANDIDATES)).toBe(CANDIDATES[1]);
  });

  it('answers mp3 by default, like OpenAI', async () => {
    const response = await client().audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello.' });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const bytes = Buffer.from(await response.arrayBuffer());
    // An MPEG frame sync or an ID3 tag.
    expect(bytes[0] === 0xff || bytes.subarray(0, 3).toString('ascii') === 'ID3').toBe(true);
  });

  it('lists models in the shape the spec gives', async () => {
    const response = await fetch(`${standin.url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
    const body: unknown = await response.json();
    expect(validator.validate('ListModelsResponse', body)).toEqual({ valid: true });
    expect((await client().models.list()).data.map((m) => m.id)).toContain('whisper-1');
  });
});

describe('authentication and CORS', () => {
  it('refuses a wrong key with OpenAI’s 401, masking the key', async () => {
    const error = await client({ apiKey: 'sk-wrong-key-123456' })
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      error: {
        message: expect.stringMatching(/^Incorrect API key provided: sk-\*+3456\./),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    expect(JSON.stringify(error)).not.toContain('sk-wrong-key-123456');
  });

  it('refuses a request with no key', async () => {
    const response = await fetch(`${standin.url}/models`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /^You didn't provide an API key/,
    );
  });

  it('answers a browser preflight from an extension page, allowing the SDK headers', async () => {
    const response = await fetch(`${standin.url}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-stainless-os,x-stainless-retry-count',
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization.*x-stainless-retry-count/);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(standin.requests).toHaveLength(0);
  });
});

describe('fault injection', () => {
  it('answers insufficient_quota with OpenAI’s exact body, and the SDK does not retry it with maxRetries 0', async () => {
    standin.control.failNext({ endpoint: 'chat', kind: 'insufficient-quota', count: 5 });
    const error = await client({ maxRetries: 0 })
      .chat.completions.create(chatBody() as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      error: {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    });
    expect(standin.requests).toHaveLength(1);
    // Left to its defaults the SDK would retry it: quota errors must be stopped by the caller.
    await expect(
      client({ maxRetries: 1 }).chat.completions.create(chatBody() as OpenAI.ChatCompletionCreateParamsNonStreaming),
    ).rejects.toMatchObject({ code: 'insufficient_quota' });
    expect(standin.requests).toHaveLength(3);
  });

  it('answers a rate limit with retry-after, and the SDK retries it and then succeeds', async () => {
    standin.control.failNext({ endpoint: 'chat', kind: 'rate-limit', retryAfterMs: 50 });
    const response = await post('/chat/completions', chatBody());
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('retry-after-ms')).toBe('50');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');

    standin.control.reset();
    standin.control.failNext({ endpoint: 'chat', kind: 'rate-limit', retryAfterMs: 50 });
    const completion = await client({ maxRetries: 2 }).chat.completions.create(
      chatBody() as OpenAI.ChatCompletionCreateParamsNonStreaming,
    );
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(standin.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(standin.requests[1]?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('a fault for streamed chats only leaves a non-streamed request (the corrections lane) alone', async () => {
    standin.control.failNext({ endpoint: 'chat', kind: 'rate-limit', retryAfterMs: 50, streamed: true });
    expect((await post('/chat/completions', chatBody())).status).toBe(200);
    expect((await post('/chat/completions', chatBody({ stream: true }))).status).toBe(429);
    expect(standin.control.pendingFaults).toHaveLength(0);
  });

  it('fails the next N requests to one endpoint only, then recovers', async () => {
    standin.control.failNext({ endpoint: 'transcriptions', kind: 'server-error', count: 2 });
    const models = await client().models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const upload = () =>
      client().audio.transcriptions.create({
        file: new File([new Uint8Array(8)], 'a.wav', { type: 'audio/wav' }),
        model: 'whisper-1',
      });
    for (let i = 0; i < 2; i++) {
      await expect(upload()).rejects.toMatchObject({ status: 500, error: { type: 'server_error' } });
    }
    await expect(upload()).rejects.toMatchObject({ status: 400 });
    expect(standin.requests.map((r) => r.fault)).toEqual([undefined, 'server-error', 'server-error', undefined]);
  });

  it('answers 503 overloaded and a fault-injected 401', async () => {
    standin.control.failNext({ kind: 'overloaded' });
    standin.control.failNext({ kind: 'invalid-key' });
    await expect(client().models.list()).rejects.toMatchObject({ status: 503 });
    await expect(client().models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client().models.list()).resolves.toBeTruthy();
  });

  it('drops the connection without an answer', async () => {
    standin.control.failNext({ kind: 'drop-connection' });
    await expect(client().models.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(standin.requests[0]).toMatchObject({ fault: 'drop-connection', status: 0 });
    await expect(client().models.list()).resolves.toBeTruthy();
  });

  it('answers an HTML page, like a base URL that is not an OpenAI-compatible server', async () => {
    standin.control.failNext({ kind: 'html', status: 404 });
    const error = await client()
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    standin.control.failNext({ kind: 'html' });
    const response = await fetch(`${standin.url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/^<!DOCTYPE html>/);
  });

  it('is driven over HTTP by the control API too', async () => {
    const control = (pathname: string, body: unknown) =>
      fetch(`${standin.origin}/__control${pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await control('/faults', { kind: 'no-such-fault' })).status).toBe(400);
    expect((await control('/faults', { endpoint: 'models', kind: 'overloaded' })).status).toBe(200);
    await control('/config', { transcript: 'Set over HTTP.', latency: { transcriptionMs: 0 } });
    await expect(client().models.list()).rejects.toMatchObject({ status: 503 });
    const text = await client().audio.transcriptions.create({
      file: await toFile(await readFile(learnerWav), 'a.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
    });
    expect(text.text).toBe('Set over HTTP.');
    const recorded = (await (await fetch(`${standin.origin}/__control/requests`)).json()) as Array<{
      endpoint: string;
      status: number;
    }>;
    expect(recorded.map((r) => [r.endpoint, r.status])).toEqual([
      ['models', 503],
      ['transcriptions', 200],
    ]);
    await control('/reset', {});
    expect(standin.requests).toHaveLength(0);
    expect(standin.control.config.transcript).toBeNull();
  });
});

describe('quirks of other compatible servers', () => {
  const streamed = async (quirks: Parameters<typeof standin.control.setQuirks>[0]) => {
    standin.control.setQuirks(quirks);
    const text = await (await post('/chat/completions', chatBody({ stream: true }))).text();
    return text.split('\n\n').filter(Boolean);
  };
  const payload = (event: string) => event.replace(/^data: ?/, '');

  it('writes data: lines without the space', async () => {
    const events = await streamed(['data-no-space']);
    expect(events.every((event) => /^data:[^ ]/.test(event))).toBe(true);
    expect(events.at(-1)).toBe('data:[DONE]');
  });

  it('ends with a chunk that has only usage, without choices', async () => {
    const events = await streamed(['usage-only-final-chunk']);
    const last = JSON.parse(payload(events.at(-2)!)) as Record<string, unknown>;
    expect(last).not.toHaveProperty('choices');
    expect(last.usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it('streams reasoning_content before the reply', async () => {
    const events = await streamed(['reasoning-content']);
    const deltas = events
      .slice(0, -1)
      .map(
        (event) =>
          (JSON.parse(payload(event)) as { choices: Array<{ delta: Record<string, unknown> }> }).choices[0]!.delta,
      );
    const firstContent = deltas.findIndex((delta) => typeof delta.content === 'string' && delta.content !== '');
    const lastReasoning = deltas.findLastIndex((delta) => typeof delta.reasoning_content === 'string');
    expect(lastReasoning).toBeGreaterThan(0);
    expect(lastReasoning).toBeLessThan(firstContent);
  });

  it('sends an error object inside the stream, then stops without [DONE]', async () => {
    const events = await streamed(['error-in-stream']);
    expect(JSON.parse(payload(events.at(-1)!))).toMatchObject({
      error: { type: 'server_error', message: expect.any(String) },
    });
    expect(events).not.toContain('data: [DONE]');
  });

  it('refuses stream_options, and transcription options, as servers without them do', async () => {
    standin.control.setQuirks(['no-stream-options', 'no-transcription-options']);
    const chat = await post('/chat/completions', chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { message: string } }).error.message).toBe(
      'Unrecognized request argument supplied: stream_options',
    );
    const file = await toFile(await readFile(learnerWav), 'a.wav', { type: 'audio/wav' });
    await expect(
      client().audio.transcriptions.create({ file, model: 'whisper-1', language: 'en' }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await client().audio.transcriptions.create({ file, model: 'whisper-1' })).text).toBe(CANDIDATES[0]);
  });

  it('gives word timings with verbose_json and word granularity, inside the speech', async () => {
    const file = await toFile(await readFile(learnerWav), 'a.wav', { type: 'audio/wav' });
    const result = await client().audio.transcriptions.create({
      file,
      model: 'whisper-1',
      response_format: 'verbose_json',
      timestamp_granularities: ['word'],
    });
    expect(result.words?.map((w) => w.word).join(' ')).toBe('Yesterday I go to the park with my friend');
    expect(result.words?.[0]?.start).toBeGreaterThanOrEqual(0.25);
    expect(result.words?.at(-1)?.end).toBeLessThanOrEqual(result.duration - 0.5);
    expect(standin.requests[0]?.valid).toBe(true);
  });

  it('serves only chat, or only transcription, answering 404 for the rest and listing only its models', async () => {
    standin.control.setServes('chat');
    const file = await toFile(await readFile(learnerWav), 'a.wav', { type: 'audio/wav' });
    await expect(client().audio.transcriptions.create({ file, model: 'whisper-1' })).rejects.toMatchObject({
      status: 404,
    });
    expect((await client().models.list()).data.map((m) => m.id)).not.toContain('whisper-1');
    standin.control.setServes('transcription');
    expect((await post('/chat/completions', chatBody())).status).toBe(404);
    expect((await client().models.list()).data.map((m) => m.id)).toEqual([
      'whisper-1',
      'gpt-4o-mini-transcribe',
      'gpt-4o-transcribe',
    ]);
  });

  it('answers an empty account with 402, or with 403 in a provider’s own envelope', async () => {
    standin.control.failNext({ kind: 'quota-402' });
    const deepseek = await post('/chat/completions', chatBody());
    expect(deepseek.status).toBe(402);
    expect(await deepseek.json()).toMatchObject({ error: { message: 'Insufficient Balance' } });
    standin.control.failNext({ kind: 'quota-403' });
    const envelope = await post('/chat/completions', chatBody());
    expect(envelope.status).toBe(403);
    expect(await envelope.json()).toEqual({
      code: 30001,
      message: 'Sorry, your account balance is insufficient',
      data: null,
    });
  });

  it('takes quirks and serves over the control API, refusing unknown ones', async () => {
    const set = (body: unknown) =>
      fetch(`${standin.origin}/__control/config`, { method: 'POST', body: JSON.stringify(body) });
    expect((await set({ quirks: ['no-such-quirk'] })).status).toBe(400);
    expect((await set({ quirks: ['data-no-space'], serves: 'chat' })).status).toBe(200);
    expect(standin.control.config).toMatchObject({ quirks: ['data-no-space'], serves: 'chat' });
  });
});

describe('closing', () => {
  it('closes promptly while a reply is still streaming', async () => {
    const other = await startStandin({ latency: { firstTokenMs: 0, tokensPerSecond: 5 } });
    const response = await fetch(`${other.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(chatBody({ stream: true })),
    });
    const reader = response.body!.getReader();
    await reader.read();
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(
      reader.read().then(async function drain(r): Promise<unknown> {
        return r.done ? r : drain(await reader.read());
      }),
    ).rejects.toThrow();
    expect(other.requests[0]?.aborted).toBe(true);
  });
});
