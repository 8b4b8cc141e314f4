import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeWav } from '../src/audio.ts';
import type { NaturalVoiceStatus } from '../src/engines/types.ts';
import { startCompanion, type CompanionHandle, type StartOptions } from '../src/server.ts';
import { PIPER_JOE } from '../src/voices/catalog.ts';
import { tempDir } from './helpers.ts';
import { InTestEngine } from './in-test-engine.ts';
import { piperVoicePaths } from './voice-packages.ts';

interface Health {
  status: string;
  engine: string;
  naturalVoice: NaturalVoiceStatus;
}

let work: { dir: string; remove: () => Promise<void> };
const companions: CompanionHandle[] = [];
const servers: Server[] = [];
let counter = 0;

beforeAll(async () => {
  work = await tempDir('aitalk-natural-voice-');
});

afterEach(async () => {
  await Promise.all(companions.splice(0).map((companion) => companion.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

afterAll(async () => {
  await work.remove();
});

async function start(options: StartOptions): Promise<CompanionHandle> {
  const dir = path.join(work.dir, `run-${++counter}`);
  const companion = await startCompanion({
    port: 0,
    cacheDir: path.join(dir, 'cache'),
    voicesDir: path.join(dir, 'voices'),
    log: () => {},
    ...options,
  });
  companions.push(companion);
  await companion.ready;
  return companion;
}

async function listen(handler: (res: ServerResponse, url: string) => void): Promise<string> {
  const server = createServer((req, res) => handler(res, req.url ?? '/'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function health(companion: CompanionHandle): Promise<Health> {
  return (await fetch(`${companion.url}/health`)).json() as Promise<Health>;
}

async function speak(companion: CompanionHandle, voice?: string) {
  const response = await fetch(`${companion.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input: 'Good morning, how are you?', voice, response_format: 'wav' }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    sampleRate: response.ok ? decodeWav(body).sampleRate : 0,
    seconds: response.ok ? decodeWav(body).pcm.length / 2 / decodeWav(body).sampleRate : 0,
    text: response.ok ? '' : body.toString('utf8'),
  };
}

describe('the natural voice over HTTP', () => {
  it('shows the download percentage in /health while eSpeak answers, and leaves a .part to resume', async () => {
    const sent = 10_000_000;
    // A release host that sends the first 10 MB of the model and then stalls, as a slow connection would.
    const mirror = await listen((res, url) => {
      if (!url.endsWith('/en_US-joe-medium.onnx')) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': PIPER_JOE.files[0]!.bytes });
      res.write(Buffer.alloc(sent, 7));
    });
    const companion = await start({ engine: 'piper', voiceMirror: mirror });

    await vi.waitFor(
      async () => expect((await health(companion)).naturalVoice).toMatchObject({ state: 'fetching', percent: 15 }),
      { timeout: 20_000, interval: 100 },
    );
    const state = await health(companion);
    expect(state).toMatchObject({ status: 'ok', engine: 'piper' });
    expect(state.naturalVoice).toEqual({
      state: 'fetching',
      engine: 'piper',
      voice: 'en_US-joe-medium',
      percent: 15,
      message: 'fetching en_US-joe-medium (15 %)',
    });
    const voices = (await (await fetch(`${companion.url}/voices`)).json()) as { default: string };
    expect(voices.default).toBe('en-us');
    const spoken = await speak(companion);
    expect(spoken).toMatchObject({ status: 200, sampleRate: 22050 });
    expect(spoken.seconds).toBeGreaterThan(0.8);

    await companion.close();
    const part = path.join(companion.config.voicesDir, 'piper', 'en_US-joe-medium.onnx.part');
    expect((await stat(part)).size).toBe(sent);
  });

  it('without a network says what to do in /health and keeps speaking with eSpeak', async () => {
    const closed = await listen(() => {});
    servers.pop()!.close();
    const companion = await start({
      engine: 'piper',
      voiceMirror: closed,
      voiceFetch: { attempts: 2, retryDelayMs: 10 },
      neuralEngines: { piper: () => new InTestEngine(['en_US-joe-medium', 'unused']) },
    });

    await vi.waitFor(async () => expect((await health(companion)).naturalVoice.state).toBe('failed'), {
      timeout: 20_000,
      interval: 100,
    });
    const state = await health(companion);
    expect(state.status).toBe('ok');
    expect(state.naturalVoice.message).toMatch(
      /^cannot fetch the natural voice en_US-joe-medium from 127\.0\.0\.1:\d+ \(ECONNREFUSED\): no network\? start with --engine espeak, or --voice-file PATH/,
    );
    expect(await speak(companion)).toMatchObject({ status: 200, sampleRate: 22050 });
    // The learner's saved choice of the natural voice is spoken by eSpeak rather than refused.
    expect(await speak(companion, 'en_US-joe-medium')).toMatchObject({ status: 200, sampleRate: 22050 });
    const unknown = await speak(companion, 'nobody');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/Unknown voice \\?"nobody\\?"\. Available voices: en-us/);
  });

  it('switches to a voice file once it loads, without serving eSpeak audio cached for it before', async () => {
    const voiceFile = path.join(work.dir, 'en_US-test-medium.onnx');
    await writeFile(voiceFile, 'not read by the in-test engine');
    await writeFile(`${voiceFile}.json`, '{}');
    const neural = new InTestEngine(['en_US-test-medium', 'en_GB-test-low']);
    const made: string[] = [];
    const companion = await start({
      engine: 'piper',
      voiceFile,
      neuralEngines: {
        piper: (options) => {
          made.push(options.modelPath);
          return neural;
        },
      },
    });
    await vi.waitFor(() => expect(made).toEqual([voiceFile]));

    const before = await speak(companion, 'en_US-test-medium');
    expect(before).toMatchObject({ status: 200, cache: 'miss', sampleRate: 22050 });
    expect((await health(companion)).naturalVoice.state).toBe('loading');

    neural.load();
    await vi.waitFor(async () => expect((await health(companion)).naturalVoice.state).toBe('ready'));
    const voices = (await (await fetch(`${companion.url}/voices`)).json()) as {
      default: string;
      voices: { id: string; engine: string; accent: string }[];
    };
    expect(voices.default).toBe('en_US-test-medium');
    expect(voices.voices[0]).toMatchObject({ id: 'en_US-test-medium', engine: 'piper', accent: 'American' });
    expect(voices.voices.find((voice) => voice.id === 'en-gb')).toMatchObject({ engine: 'espeak', accent: 'British' });

    expect(await speak(companion, 'en_US-test-medium')).toMatchObject({
      status: 200,
      cache: 'miss',
      sampleRate: 16000,
    });
    // The cache stores an answer just after sending it, so the hit may take a moment to appear.
    await vi.waitFor(async () =>
      expect(await speak(companion, 'en_US-test-medium')).toMatchObject({
        status: 200,
        cache: 'hit',
        sampleRate: 16000,
      }),
    );
    expect(await speak(companion)).toMatchObject({ status: 200, sampleRate: 16000 });
    // A neural voice starts on the opening clause alone (the test below).
    expect(neural.spoken.slice(0, 2)).toEqual(['en_US-test-medium: Good morning,', 'en_US-test-medium: how are you?']);
  });

  it('starts a neural voice on a short opening clause, so the teacher is heard after "You said:"', async () => {
    const voiceFile = path.join(work.dir, 'en_US-clause-medium.onnx');
    await writeFile(voiceFile, 'not read by the in-test engine');
    await writeFile(`${voiceFile}.json`, '{}');
    const neural = new InTestEngine(['en_US-clause-medium', 'en_GB-clause-low']);
    neural.load();
    const companion = await start({ engine: 'piper', voiceFile, neuralEngines: { piper: () => neural } });
    await vi.waitFor(async () => expect((await health(companion)).naturalVoice.state).toBe('ready'));

    const reply = 'You said: “Yesterday I go to the park with my friend.”';
    const response = await fetch(`${companion.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: reply, voice: 'en_US-clause-medium', response_format: 'pcm' }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(neural.spoken).toEqual([
      'en_US-clause-medium: You said:',
      'en_US-clause-medium: “Yesterday I go to the park with my friend.”',
    ]);
  });

  it('with --engine espeak fetches nothing and reports the natural voice as off', async () => {
    let asked = 0;
    const mirror = await listen((res) => {
      asked++;
      res.writeHead(404).end();
    });
    const companion = await start({ engine: 'espeak', voiceMirror: mirror });
    expect((await health(companion)).naturalVoice).toEqual({
      state: 'off',
      engine: 'espeak',
      voice: '',
      percent: null,
      message: null,
    });
    expect(await speak(companion)).toMatchObject({ status: 200, sampleRate: 22050 });
    expect(asked).toBe(0);
  });

  it('with a voice file that is no voice, says so in /health and keeps speaking with eSpeak (the real Piper engine)', async () => {
    // A download saved under the voice's name, but not the voice: its settings are real, the model is an HTML page.
    const dir = path.join(work.dir, 'not-a-voice');
    await mkdir(dir, { recursive: true });
    const modelPath = path.join(dir, 'en_US-joe-medium.onnx');
    await writeFile(modelPath, '<html><body>Rate limit exceeded</body></html>');
    await copyFile(piperVoicePaths().configPath, `${modelPath}.json`);
    const companion = await start({ engine: 'piper', voiceFile: modelPath });

    await vi.waitFor(async () => expect((await health(companion)).naturalVoice.state).toBe('failed'), {
      timeout: 30_000,
      interval: 100,
    });
    const { naturalVoice } = await health(companion);
    expect(naturalVoice.message).toContain(modelPath);
    expect(naturalVoice.message).toMatch(/download it again|--engine espeak/);
    // The learner's saved Piper voice and the default are both still spoken, by eSpeak.
    expect(await speak(companion, 'en_US-joe-medium')).toMatchObject({ status: 200, sampleRate: 22050 });
    expect(await speak(companion)).toMatchObject({ status: 200, sampleRate: 22050 });
    const voices = (await (await fetch(`${companion.url}/voices`)).json()) as { default: string };
    expect(voices.default).toBe('en-us');
  });
});
