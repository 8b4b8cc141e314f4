import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultSttPython } from '../src/python-env.ts';
import { SttEngine, type SttStatus } from '../src/stt/engine.ts';
import { TINY_EN } from '../src/stt/models.ts';
import { startCompanion, type CompanionHandle, type StartOptions } from '../src/server.ts';
import { checkFile } from '../src/voices/fetch.ts';
import { tempDir, type ApiErrorJson } from './helpers.ts';
import { SAMPLES_DIR, shippedWhisperFolder } from './whisper-model.ts';

let work: { dir: string; remove: () => Promise<void> };
let folder: string;
const companions: CompanionHandle[] = [];
const servers: Server[] = [];
let counter = 0;

let brokenFolder: string;

beforeAll(async () => {
  work = await tempDir('aitalk-stt-model-');
  folder = shippedWhisperFolder();
  brokenFolder = path.join(work.dir, 'broken-model');
  await mkdir(brokenFolder, { recursive: true });
  await copyFile(path.join(folder, 'config.json'), path.join(brokenFolder, 'config.json'));
  await copyFile(path.join(folder, 'vocabulary.txt'), path.join(brokenFolder, 'vocabulary.txt'));
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

async function start(options: StartOptions, lines: string[] = []): Promise<CompanionHandle> {
  const companion = await startCompanion({
    port: 0,
    cacheMaxMb: 0,
    stt: true,
    sttModelsDir: path.join(work.dir, `models-${++counter}`),
    sttFetch: { attempts: 1, retryDelayMs: 10 },
    log: (line) => lines.push(line),
    ...options,
  });
  companions.push(companion);
  await companion.ready;
  return companion;
}

/** A release host serving the official paths from `root` (the files the real one would send), or 404. */
async function mirror(root: string | null): Promise<string> {
  const server = createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    const file = TINY_EN.files.find((entry) => new URL(entry.url).pathname === req.url);
    if (!root || !file) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': file.bytes });
    createReadStream(path.join(root, name)).pipe(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function sttHealth(companion: CompanionHandle): Promise<SttStatus> {
  return ((await (await fetch(`${companion.url}/health`)).json()) as { stt: SttStatus }).stt;
}

async function transcribe(companion: CompanionHandle): Promise<Response> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(await readFile(path.join(SAMPLES_DIR, 'learner-books.wav')))]), 'a.wav');
  return fetch(`${companion.url}/v1/audio/transcriptions`, { method: 'POST', body });
}

async function speaks(companion: CompanionHandle): Promise<number> {
  const response = await fetch(`${companion.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input: 'Still here.', response_format: 'wav' }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('the Whisper model', () => {
  it('tiny.en is fetched from its release with progress and checksums, then loaded from the folder', async () => {
    const lines: string[] = [];
    const companion = await start({ sttModel: 'tiny.en', voiceMirror: await mirror(folder) }, lines);
    await companion.stt!.ready;
    expect(lines).toContain('Fetching the Whisper model tiny.en: 0 % (0 of 78 MB)');
    expect(lines.find((line) => line.startsWith('Fetched the Whisper model tiny.en: 78 MB'))).toMatch(
      /checksums verified/,
    );
    for (const file of TINY_EN.files) {
      expect(await checkFile(path.join(companion.config.sttModelsDir, file.path), file)).toBe('ok');
    }
    expect(await sttHealth(companion)).toMatchObject({ state: 'ready', model: 'tiny.en', message: null });
    const response = await transcribe(companion);
    expect(await response.json()).toEqual({ text: 'I like to read books in the evening.' });
  });

  it('that cannot be fetched: 503 saying why and what to do, /health says so, speech goes on', async () => {
    const companion = await start({ sttModel: 'tiny.en', voiceMirror: await mirror(null) });
    await expect(companion.stt!.ready).rejects.toThrow(/HTTP 404/);
    const health = await sttHealth(companion);
    expect(health.state).toBe('failed');
    expect(health.message).toMatch(/answered HTTP 404 .*the Whisper model tiny\.en.*--stt-model FOLDER/);
    const response = await transcribe(companion);
    expect(response.status).toBe(503);
    expect(((await response.json()) as ApiErrorJson).error.message).toMatch(
      /^Transcription is unavailable: .*HTTP 404/,
    );
    expect(await speaks(companion)).toBe(200);
  });

  // The two below need no HTTP server: the engine reports them the way the route shows them (the 404 case above).
  it.each([
    [
      'a folder an interrupted download left',
      () => ({ model: brokenFolder }),
      /has no model\.bin, tokenizer\.json.*delete it/,
    ],
    [
      'a Python without faster-whisper',
      () => ({ model: folder, python: 'python3' }),
      /faster-whisper is not installed .*npm run setup:stt/,
    ],
  ])('%s: 503 saying why and what to do', async (_name, options, reason) => {
    const engine = new SttEngine({
      modelsDir: work.dir,
      python: defaultSttPython(),
      maxQueue: 4,
      timeoutMs: 60_000,
      log: () => {},
      ...options(),
    });
    try {
      await expect(engine.ready).rejects.toThrow(reason);
      expect(engine.status()).toMatchObject({ state: 'failed', message: expect.stringMatching(reason) as unknown });
      const refused = engine.transcribe(
        { audio: Buffer.alloc(10), language: 'en', prompt: null, temperature: 0, words: false },
        new AbortController().signal,
      );
      await expect(refused).rejects.toMatchObject({ status: 503, message: expect.stringMatching(reason) as unknown });
    } finally {
      await engine.close();
    }
  });
});
