import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recognizeSentence } from '../../script/lib/recognize.ts';
import { decodeWav } from '../src/audio.ts';
import { ESPEAK_FOR_OPENAI } from '../src/engines/espeak.ts';
import { OPENAI_SPEECH_MODELS, OPENAI_VOICES } from '../src/openai-voices.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import { exactWav, padForRecognition, plausibleSeconds, rms, tempDir, type ApiErrorJson } from './helpers.ts';

const CANDIDATES = [
  'The weather is very nice today.',
  'I like to read books in the evening.',
  'What is your favourite food?',
  'Yesterday I went to the park with my friend.',
];

let companion: CompanionHandle;
let client: OpenAI;
let cache: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  cache = await tempDir('aitalk-companion-espeak-');
  companion = await startCompanion({ port: 0, cacheDir: cache.dir, log: () => {} });
  await companion.ready;
  client = new OpenAI({ apiKey: 'not-needed', baseURL: `${companion.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await companion?.close();
  await cache?.remove();
});

async function speak(input: string, extra: Partial<OpenAI.Audio.SpeechCreateParams> = {}): Promise<Response> {
  return client.audio.speech.create({ model: 'tts-1', voice: 'en-us', input, response_format: 'wav', ...extra });
}

describe('espeak engine through the openai SDK', () => {
  it('speaks the sentence it was sent, as a WAV whose length fits the text', async () => {
    for (const sentence of [CANDIDATES[0]!, CANDIDATES[2]!]) {
      const response = await speak(sentence);
      expect(response.headers.get('content-type')).toBe('audio/wav');
      const wav = Buffer.from(await response.arrayBuffer());
      const { sampleRate, pcm } = decodeWav(wav);
      expect(sampleRate).toBe(22050);
      // A single sentence gets exact WAV sizes.
      expect(wav.readUInt32LE(40)).toBe(pcm.length);
      const seconds = pcm.length / 2 / sampleRate;
      const bounds = plausibleSeconds(sentence);
      expect(seconds).toBeGreaterThan(bounds.min);
      expect(seconds).toBeLessThan(bounds.max);
      expect(await recognizeSentence(padForRecognition(wav), CANDIDATES)).toBe(sentence);
    }
  });

  it('streams a long text sentence by sentence, in order', async () => {
    const input = `${CANDIDATES[3]} ${CANDIDATES[1]} ${CANDIDATES[0]}`;
    const response = await speak(input);
    const { wav, seconds } = exactWav(Buffer.from(await response.arrayBuffer()));
    const bounds = plausibleSeconds(input);
    expect(seconds).toBeGreaterThan(bounds.min);
    expect(seconds).toBeLessThan(bounds.max);
    // Each third of the audio is one of the sentences, in the order they were written.
    const { sampleRate, pcm } = decodeWav(wav);
    const single = await Promise.all(
      [CANDIDATES[3]!, CANDIDATES[1]!].map(
        async (s) => decodeWav(Buffer.from(await (await speak(s)).arrayBuffer())).pcm,
      ),
    );
    const firstPart = pcm.subarray(0, single[0]!.length);
    const secondPart = pcm.subarray(single[0]!.length, single[0]!.length + single[1]!.length);
    const asWav = (part: Buffer): Buffer => padForRecognition(Buffer.concat([wav.subarray(0, 44), part]));
    expect(await recognizeSentence(asWav(firstPart), CANDIDATES)).toBe(CANDIDATES[3]);
    expect(await recognizeSentence(asWav(secondPart), CANDIDATES)).toBe(CANDIDATES[1]);
    expect(sampleRate).toBe(22050);
  });

  it('answers pcm at 24 kHz and mp3, each the same length of speech', async () => {
    const sentence = CANDIDATES[1]!;
    const wav = decodeWav(Buffer.from(await (await speak(sentence)).arrayBuffer()));
    const wavSeconds = wav.pcm.length / 2 / wav.sampleRate;

    const pcmResponse = await speak(sentence, { response_format: 'pcm' });
    expect(pcmResponse.headers.get('content-type')).toBe('audio/pcm');
    const pcm = Buffer.from(await pcmResponse.arrayBuffer());
    expect(pcm.length / 2 / 24000).toBeCloseTo(wavSeconds, 1);
    expect(rms(pcm)).toBeGreaterThan(0.02);

    const mp3Response = await speak(sentence, { response_format: 'mp3' });
    expect(mp3Response.headers.get('content-type')).toBe('audio/mpeg');
    const mp3 = Buffer.from(await mp3Response.arrayBuffer());
    // An MPEG audio frame starts with 11 set sync bits; 64 kbit/s makes the size follow the duration.
    expect(mp3[0]).toBe(0xff);
    expect(mp3[1]! & 0xe0).toBe(0xe0);
    expect(mp3.length).toBeGreaterThan(wavSeconds * 8000 * 0.8);
    expect(mp3.length).toBeLessThan(wavSeconds * 8000 * 1.3 + 2000);
  });

  it('maps speed to the speaking rate', async () => {
    const sentence = CANDIDATES[3]!;
    const seconds = async (speed: number): Promise<number> => {
      const { pcm, sampleRate } = decodeWav(Buffer.from(await (await speak(sentence, { speed })).arrayBuffer()));
      return pcm.length / 2 / sampleRate;
    };
    const normal = await seconds(1);
    const fast = await seconds(2);
    const slow = await seconds(0.6);
    expect(fast / normal).toBeGreaterThan(0.4);
    expect(fast / normal).toBeLessThan(0.7);
    expect(slow / normal).toBeGreaterThan(1.3);
  });

  it('lists English voices, and each listed variant sounds different from the default', async () => {
    const response = await fetch(`${companion.url}/voices`);
    const body = (await response.json()) as {
      engine: string;
      default: string;
      voices: { id: string; name: string; language: string }[];
    };
    expect(body.engine).toBe('espeak');
    expect(body.default).toBe('en-us');
    const ids = body.voices.map((voice) => voice.id);
    expect(ids).toEqual(expect.arrayContaining(['en-us', 'en-gb', 'en-us+f3']));
    expect(body.voices.every((voice) => voice.language.startsWith('en'))).toBe(true);

    const sentence = 'Good morning.';
    const base = Buffer.from(await (await speak(sentence)).arrayBuffer());
    for (const voice of ['en-gb', 'en-us+f3']) {
      const other = Buffer.from(await (await speak(sentence, { voice })).arrayBuffer());
      expect(other.equals(base)).toBe(false);
      expect(rms(decodeWav(other).pcm)).toBeGreaterThan(0.02);
    }
  });

  it('speaks markup as text instead of obeying it', async () => {
    const response = await speak('Wait <break time="20s"/> here.');
    const { pcm, sampleRate } = decodeWav(Buffer.from(await response.arrayBuffer()));
    expect(pcm.length / 2 / sampleRate).toBeLessThan(8);
  });

  it('answers a repeated request from the cache in a few milliseconds, byte for byte', async () => {
    const input = 'This sentence is cached after the first time.';
    const first = await fetch(`${companion.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input, voice: 'en-gb' }),
    });
    expect(first.headers.get('x-cache')).toBe('miss');
    const original = Buffer.from(await first.arrayBuffer());
    // The entry is written once the body is complete.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const times: number[] = [];
    let cached = Buffer.alloc(0);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const again = await fetch(`${companion.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ input, voice: 'en-gb' }),
      });
      cached = Buffer.from(await again.arrayBuffer());
      times.push(performance.now() - started);
      expect(again.headers.get('x-cache')).toBe('hit');
    }
    expect(cached.equals(original)).toBe(true);
    times.sort((a, b) => a - b);
    expect(times[2]).toBeLessThan(25);
    const health = (await (await fetch(`${companion.url}/health`)).json()) as {
      cache: { hits: number; entries: number };
    };
    expect(health.cache.hits).toBeGreaterThanOrEqual(5);
  });

  it('reports itself ready in /health', async () => {
    const health = (await (await fetch(`${companion.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', engine: 'espeak', ready: true, queue: { active: 0, waiting: 0 } });
  });

  it('answers a burst of concurrent requests, each with its own sentence', async () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `${CANDIDATES[i % 4]} Number ${i + 1}.`);
    const responses = await Promise.all(
      sentences.map((input) =>
        fetch(`${companion.url}/v1/audio/speech`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ input, response_format: 'wav' }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(sentences.map(() => 200));
    const bodies = await Promise.all(responses.map(async (r) => exactWav(Buffer.from(await r.arrayBuffer()))));
    for (const [index, body] of bodies.entries()) {
      const bounds = plausibleSeconds(sentences[index]!);
      expect(body.seconds).toBeGreaterThan(bounds.min);
      expect(body.seconds).toBeLessThan(bounds.max);
    }
    // Different texts, different audio: no response was crossed with another.
    expect(new Set(bodies.map((b) => b.wav.toString('base64'))).size).toBe(sentences.length);
    expect(await recognizeSentence(padForRecognition(bodies[5]!.wav), CANDIDATES)).toBe(CANDIDATES[1]);
  });

  it('speaks to an OpenAI client that keeps OpenAI\'s defaults: mp3, voice "alloy", any model, instructions', async () => {
    for (const model of OPENAI_SPEECH_MODELS) {
      const response = await client.audio.speech.create({
        model,
        voice: 'alloy',
        input: CANDIDATES[0]!,
        instructions: 'Speak in a cheerful and positive tone.',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('audio/mpeg');
      const mp3 = Buffer.from(await response.arrayBuffer());
      expect(mp3[0]).toBe(0xff);
      expect(mp3.length).toBeGreaterThan(8000);
    }
  });

  it('maps every OpenAI voice name to the eSpeak voice in its table, and speaks with it', async () => {
    const listed = ((await (await fetch(`${companion.url}/voices`)).json()) as { voices: { id: string }[] }).voices.map(
      (v) => v.id,
    );
    for (const voice of OPENAI_VOICES) {
      expect(companion.engine.voiceForOpenAI(voice)).toBe(ESPEAK_FOR_OPENAI[voice]);
      expect(listed).toContain(ESPEAK_FOR_OPENAI[voice]);
      const response = await speak('Nice to meet you.', { voice });
      expect(response.status).toBe(200);
      expect(rms(decodeWav(Buffer.from(await response.arrayBuffer())).pcm)).toBeGreaterThan(0.02);
    }
  });

  it('refuses an unknown voice with the list, through the SDK as a 400', async () => {
    const error = await speak('Hello.', { voice: 'no-such-voice' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect((apiError.error as ApiErrorJson['error']).message).toMatch(/Unknown voice "no-such-voice".*en-us/);
  });
});
