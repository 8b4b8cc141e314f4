import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, wavHeader } from '../src/audio.ts';
import { upstreamEndpoints } from '../src/engines/upstream.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import type { ApiErrorJson } from './helpers.ts';

interface Received {
  authorization: string | undefined;
  body: { model: string; input: string; voice: string; response_format: string; speed: number };
}

const KEY = 'sk-upstream-test-key';
const received: Received[] = [];

/** PCM whose samples encode the text's length and position, so the test can tell which answer went where. */
function tone(text: string, sampleRate: number): Buffer {
  const count = Math.round(sampleRate * 0.05 * text.length);
  const pcm = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) pcm.writeInt16LE(((i * 37 + text.length * 101) % 20000) - 10000, i * 2);
  return pcm;
}

/** A local OpenAI-compatible speech server: checks the key, answers WAV in chunks like a streaming server. */
function standIn(options: { listVoices: boolean; sampleRate: number }) {
  return new Hono()
    .get('/v1/audio/voices', (c) =>
      options.listVoices ? c.json({ voices: ['af_bella', 'am_adam'] }) : c.json({ error: { message: 'no' } }, 404),
    )
    .post('/v1/audio/speech', async (c) => {
      const body = (await c.req.json()) as Received['body'];
      received.push({ authorization: c.req.header('authorization'), body });
      if (c.req.header('authorization') !== `Bearer ${KEY}`) {
        return c.json({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }, 401);
      }
      if (body.input.includes('explode')) return c.json({ error: { message: 'model crashed' } }, 500);
      const pcm = tone(body.input, options.sampleRate);
      const file = Buffer.concat([wavHeader(options.sampleRate, null), pcm]);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          // Odd-sized pieces, as a network delivers them, splitting samples and the header.
          for (let offset = 0; offset < file.length; offset += 777)
            controller.enqueue(file.subarray(offset, offset + 777));
          controller.close();
        },
      });
      return new Response(stream, { headers: { 'Content-Type': 'audio/wav' } });
    });
}

async function listen(app: Hono): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server: server as Server }),
    ) as Server;
  });
}

let kokoroLike: { url: string; server: Server };
let openaiLike: { url: string; server: Server };
let viaKokoro: CompanionHandle;
let viaOpenai: CompanionHandle;
let wrongKey: CompanionHandle;

beforeAll(async () => {
  [kokoroLike, openaiLike] = await Promise.all([
    listen(standIn({ listVoices: true, sampleRate: 24000 })),
    listen(standIn({ listVoices: false, sampleRate: 22050 })),
  ]);
  const common = { port: 0, engine: 'upstream' as const, cacheMaxMb: 0, log: () => {} };
  [viaKokoro, viaOpenai, wrongKey] = await Promise.all([
    startCompanion({ ...common, upstreamUrl: kokoroLike.url, upstreamKey: KEY, model: 'kokoro' }),
    startCompanion({ ...common, upstreamUrl: `${openaiLike.url}/v1`, upstreamKey: KEY }),
    startCompanion({ ...common, upstreamUrl: openaiLike.url, upstreamKey: 'sk-wrong' }),
  ]);
  await Promise.all([viaKokoro.ready, viaOpenai.ready, wrongKey.ready]);
});

afterAll(async () => {
  await Promise.all([viaKokoro?.close(), viaOpenai?.close(), wrongKey?.close()]);
  kokoroLike?.server.close();
  openaiLike?.server.close();
});

function speak(companion: CompanionHandle, body: Record<string, unknown>) {
  return fetch(`${companion.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('upstream engine against a local OpenAI-compatible stand-in', () => {
  it('accepts a base URL with or without /v1', () => {
    for (const base of ['http://h:8880', 'http://h:8880/', 'http://h:8880/v1', 'http://h:8880/v1/audio/speech']) {
      expect(upstreamEndpoints(base).speech).toBe('http://h:8880/v1/audio/speech');
    }
  });

  it('forwards each sentence with the key, model, voice and speed, and relays the audio unchanged', async () => {
    received.length = 0;
    const response = await speak(viaKokoro, {
      input: 'Hello there. How are you?',
      voice: 'am_adam',
      speed: 1.5,
      response_format: 'wav',
    });
    expect(response.status).toBe(200);
    const { sampleRate, pcm } = decodeWav(Buffer.from(await response.arrayBuffer()));
    expect(sampleRate).toBe(24000);
    expect(pcm.equals(Buffer.concat([tone('Hello there.', 24000), tone('How are you?', 24000)]))).toBe(true);
    expect(received.map((r) => r.body.input)).toEqual(['Hello there.', 'How are you?']);
    for (const request of received) {
      expect(request.authorization).toBe(`Bearer ${KEY}`);
      expect(request.body).toMatchObject({ model: 'kokoro', voice: 'am_adam', response_format: 'wav', speed: 1.5 });
    }
  });

  it('lists the upstream voices when it has a list, and checks voices against it', async () => {
    const voices = (await (await fetch(`${viaKokoro.url}/voices`)).json()) as {
      default: string;
      voices: { id: string }[];
    };
    expect(voices.voices.map((v) => v.id)).toEqual(['af_bella', 'am_adam']);
    expect(voices.default).toBe('af_bella');
    const refused = await speak(viaKokoro, { input: 'Hello.', voice: 'nobody' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ApiErrorJson).error.message).toMatch(/af_bella, am_adam/);
    // An OpenAI client's default voice is not refused: it becomes the upstream's first voice.
    received.length = 0;
    expect((await speak(viaKokoro, { input: 'Hello.', voice: 'alloy' })).status).toBe(200);
    expect(received[0]?.body).toMatchObject({ voice: 'af_bella' });
  });

  it('offers OpenAI voices when the upstream has no list, and passes plain voice names through', async () => {
    const voices = (await (await fetch(`${viaOpenai.url}/voices`)).json()) as {
      default: string;
      voices: { id: string }[];
    };
    expect(voices.default).toBe('alloy');
    received.length = 0;
    const response = await speak(viaOpenai, { input: 'Hi.', voice: 'tts_speaker-7', response_format: 'pcm' });
    expect(response.status).toBe(200);
    // 22.05 kHz upstream audio comes out as OpenAI-style 24 kHz pcm.
    const pcm = Buffer.from(await response.arrayBuffer());
    expect(pcm.length / 2 / 24000).toBeCloseTo(tone('Hi.', 22050).length / 2 / 22050, 2);
    expect(received[0]?.body).toMatchObject({ model: 'tts-1', voice: 'tts_speaker-7' });
    expect((await speak(viaOpenai, { input: 'Hi.', voice: '../x y' })).status).toBe(400);
  });

  it('reports upstream refusals and failures as 502 with the upstream message', async () => {
    const unauthorised = await speak(wrongKey, { input: 'Hello.' });
    expect(unauthorised.status).toBe(502);
    expect(((await unauthorised.json()) as ApiErrorJson).error.message).toMatch(
      /answered 401: Incorrect API key provided/,
    );
    const failed = await speak(viaOpenai, { input: 'Please explode.' });
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as ApiErrorJson).error.message).toMatch(/answered 500: model crashed/);
  });

  it('says when the upstream server cannot be reached', async () => {
    const nowhere = await startCompanion({
      port: 0,
      engine: 'upstream',
      upstreamUrl: 'http://127.0.0.1:9',
      cacheMaxMb: 0,
      log: () => {},
    });
    try {
      await nowhere.ready;
      const response = await speak(nowhere, { input: 'Hello.' });
      expect(response.status).toBe(502);
      expect(((await response.json()) as ApiErrorJson).error.message).toMatch(/could not be reached/);
    } finally {
      await nowhere.close();
    }
  });
});
