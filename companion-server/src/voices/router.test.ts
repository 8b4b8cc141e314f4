import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../errors.ts';
import { EspeakEngine } from '../engines/espeak.ts';
import { InTestEngine } from '../../test/in-test-engine.ts';
import type { FetchProgress } from './fetch.ts';
import { VoiceRouter, type NeuralPlan } from './router.ts';

interface Harness {
  router: VoiceRouter;
  neural: InTestEngine;
  /** Lets the plan's "download" finish (or fail). */
  fetched: (error?: Error) => void;
  progress: (progress: FetchProgress) => void;
  lines: string[];
}

const routers: VoiceRouter[] = [];
afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.close()));
});

function harness(): Harness {
  const neural = new InTestEngine(['test_heart', 'test_george']);
  let finish!: (error?: Error) => void;
  let report!: (progress: FetchProgress) => void;
  const plan: NeuralPlan = {
    engine: 'piper',
    model: 'test-voice',
    defaultVoice: 'test_heart',
    voices: [
      { id: 'test_heart', accent: 'American', gender: 'female' },
      { id: 'test_george', accent: 'British', gender: 'male' },
    ],
    locate: ({ onProgress }) => {
      report = onProgress;
      return new Promise((resolve, reject) => {
        finish = (error) => (error ? reject(error) : resolve({ modelPath: '/voices/test-voice.onnx', fetched: null }));
      });
    },
    create: () => neural,
  };
  const lines: string[] = [];
  const router = new VoiceRouter({
    espeak: new EspeakEngine({ maxQueue: 4, timeoutMs: 20_000, threads: 1 }),
    neural: plan,
    log: (line) => lines.push(line),
  });
  routers.push(router);
  return { router, neural, fetched: (error) => finish(error), progress: (p) => report(p), lines };
}

async function speak(router: VoiceRouter, voice: string): Promise<{ sampleRate: number; bytes: number }> {
  const audio = await router.synthesize('Hello there.', voice, { speed: 1 }, new AbortController().signal);
  let bytes = 0;
  for await (const chunk of audio.chunks) bytes += chunk.length;
  return { sampleRate: audio.sampleRate, bytes };
}

describe('the voice router', () => {
  it('speaks with eSpeak while the neural voice is fetched, and stands in for a neural voice asked for early', async () => {
    const { router, progress } = harness();
    await router.ready;
    await Promise.resolve();
    progress({ bytes: 21_000_000, total: 63_000_000, percent: 33 });

    expect(router.status()).toEqual({ state: 'ready' });
    expect(router.naturalVoice()).toMatchObject({
      state: 'fetching',
      engine: 'piper',
      voice: 'test_heart',
      percent: 33,
    });
    expect(router.defaultVoice()).toBe('en-us');
    const spoken = await speak(router, router.defaultVoice());
    expect(spoken.sampleRate).toBe(22050);
    expect(spoken.bytes).toBeGreaterThan(10_000);
    // A learner's saved neural choice is spoken by the closest eSpeak voice rather than refused.
    expect(router.route('test_heart')).toEqual({ engine: 'espeak', voice: 'en-us+f3' });
    expect(router.route('test_george')).toEqual({ engine: 'espeak', voice: 'en-gb' });
    expect((await speak(router, 'test_heart')).sampleRate).toBe(22050);
    expect(router.voiceForOpenAI('fable')).toBe('en-gb');
    // Neural voices are offered only once they can speak.
    expect(router.voices().some((voice) => voice.engine === 'piper')).toBe(false);
  });

  it('makes the neural voice the default once it is ready, keeping eSpeak voices speakable', async () => {
    const { router, neural, fetched, lines } = harness();
    await router.ready;
    fetched();
    await vi.waitFor(() => expect(router.naturalVoice().message).toBe('loading test-voice'));
    neural.load();
    await router.naturalReady;

    expect(router.naturalVoice()).toEqual({
      state: 'ready',
      engine: 'piper',
      voice: 'test_heart',
      percent: null,
      message: null,
    });
    expect(router.defaultVoice()).toBe('test_heart');
    expect(await speak(router, 'test_heart')).toEqual({ sampleRate: 16000, bytes: 3200 });
    expect(neural.spoken).toEqual(['test_heart: Hello there.']);
    expect(router.route('test_heart')).toEqual({ engine: 'piper', voice: 'test_heart' });
    expect(router.voiceForOpenAI('alloy')).toBe('test_george');
    expect((await speak(router, 'en-gb')).sampleRate).toBe(22050);
    const ids = router.voices().map((voice) => voice.id);
    expect(ids.slice(0, 2)).toEqual(['test_heart', 'test_george']);
    expect(ids).toContain('en-us');
    expect(lines.at(-1)).toMatch(/the natural voice test_heart \(piper\) is ready and now the default/);
  });

  it('stays on eSpeak, keeps the reason and closes the engine when the neural voice fails to load', async () => {
    const { router, neural, fetched, lines } = harness();
    await router.ready;
    fetched();
    await Promise.resolve();
    neural.fail('test-voice.onnx is not a valid model');
    await expect(router.naturalReady).rejects.toThrow('not a valid model');

    expect(router.naturalVoice()).toMatchObject({ state: 'failed', message: 'test-voice.onnx is not a valid model' });
    expect(router.status()).toEqual({ state: 'ready' });
    expect(router.defaultVoice()).toBe('en-us');
    expect((await speak(router, 'test_heart')).sampleRate).toBe(22050);
    expect(neural.closed).toBe(true);
    expect(neural.spoken).toEqual([]);
    expect(lines.at(-1)).toMatch(/natural voice is unavailable: test-voice\.onnx is not a valid model; eSpeak keeps/);
  });

  it('stays on eSpeak when the download fails', async () => {
    const { router, fetched } = harness();
    await router.ready;
    fetched(new Error('cannot fetch the natural voice: no network? start with --engine espeak'));
    await expect(router.naturalReady).rejects.toThrow('no network');
    expect(router.naturalVoice()).toMatchObject({ state: 'failed', percent: null });
    expect(router.defaultVoice()).toBe('en-us');
    expect((await speak(router, 'en-us')).bytes).toBeGreaterThan(10_000);
  });

  it('refuses an unknown voice with 400 and the list of voices', async () => {
    const { router } = harness();
    await router.ready;
    expect(router.acceptsVoice('nobody')).toBe(false);
    const refusal = speak(router, 'nobody');
    await expect(refusal).rejects.toBeInstanceOf(ApiError);
    await expect(refusal).rejects.toMatchObject({ status: 400 });
    await expect(refusal).rejects.toThrow(/Unknown voice "nobody"\. Available voices: en-us, .*en-gb/);
  });

  it('labels eSpeak voices with engine, accent and gender', async () => {
    const router = new VoiceRouter({
      espeak: new EspeakEngine({ maxQueue: 4, timeoutMs: 20_000, threads: 1 }),
      neural: null,
    });
    routers.push(router);
    await router.ready;
    const byId = new Map(router.voices().map((voice) => [voice.id, voice]));
    expect(byId.get('en-us')).toMatchObject({ engine: 'espeak', accent: 'American', gender: 'male' });
    expect(byId.get('en-gb+f3')).toMatchObject({ engine: 'espeak', accent: 'British', gender: 'female' });
    expect(byId.get('en-029')).toMatchObject({ accent: 'other' });
    expect(router.naturalVoice()).toMatchObject({ state: 'off', engine: 'espeak' });
    expect(router.name).toBe('espeak');
  });
});
