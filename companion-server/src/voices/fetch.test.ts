import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.ts';
import type { VoicePack } from './catalog.ts';
import { fetchPack, terminalProgress, VoiceFetchError, type FetchProgress } from './fetch.ts';

// The behaviour under test is the transport (resume, retries, verification), so the payload is generated here:
// a few MB of random bytes with their real checksum, served from a local HTTP server the test controls.
const MODEL = randomBytes(3 * 1024 * 1024 + 123);
const CONFIG = Buffer.from(JSON.stringify({ audio: { sample_rate: 22050 } }));
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const PACK: VoicePack = {
  id: 'test-voice',
  spdx: 'MIT',
  engine: 'piper',
  model: 'piper/test-voice.onnx',
  files: [
    {
      path: 'piper/test-voice.onnx',
      url: 'https://voices.invalid/release/test-voice.onnx',
      sha256: sha256(MODEL),
      bytes: MODEL.length,
    },
    {
      path: 'piper/test-voice.onnx.json',
      url: 'https://voices.invalid/release/test-voice.onnx.json',
      sha256: sha256(CONFIG),
      bytes: CONFIG.length,
    },
  ],
  voices: [{ id: 'test-voice', accent: 'American', gender: 'male' }],
  defaultVoice: 'test-voice',
  licence: 'test',
};
const TOTAL = MODEL.length + CONFIG.length;
const FAST = { attempts: 3, retryDelayMs: 5, progressIntervalMs: 0 };

interface Behaviour {
  /** Ignore Range and always send the whole file with 200. */
  ignoreRange?: boolean;
  /** For the model's Nth request (1-based): send this many bytes of it, then cut the connection. */
  cutAfter?: Record<number, number>;
  /** For the model's Nth request: send these bytes instead (same length, wrong content). */
  corrupt?: Set<number>;
}

let server: Server;
let mirror: string;
let behaviour: Behaviour = {};
let requests: { path: string; range: string | undefined }[] = [];
let sentBytes = 0;
let work: { dir: string; remove: () => Promise<void> };
let voicesDir: string;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname;
  const range = req.headers.range;
  requests.push({ path: pathname, range });
  const body =
    pathname === '/release/test-voice.onnx' ? MODEL : pathname === '/release/test-voice.onnx.json' ? CONFIG : null;
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const nth = requests.filter((request) => request.path === pathname).length;
  let data = body === MODEL && behaviour.corrupt?.has(nth) ? randomBytes(body.length) : body;
  let start = 0;
  const match = /^bytes=(\d+)-$/.exec(range ?? '');
  if (match && !behaviour.ignoreRange) {
    start = Number(match[1]);
    res.writeHead(206, {
      'Content-Length': data.length - start,
      'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
    });
  } else {
    res.writeHead(200, { 'Content-Length': data.length });
  }
  data = data.subarray(start);
  const cut = body === MODEL ? behaviour.cutAfter?.[nth] : undefined;
  if (cut !== undefined) {
    sentBytes += cut;
    res.write(data.subarray(0, cut), () => res.destroy());
    return;
  }
  sentBytes += data.length;
  res.end(data);
}

beforeAll(async () => {
  server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = await tempDir('aitalk-voice-fetch-');
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await work.remove();
});

let counter = 0;
beforeEach(async () => {
  behaviour = {};
  requests = [];
  sentBytes = 0;
  voicesDir = path.join(work.dir, `store-${++counter}`);
  await mkdir(path.join(voicesDir, 'piper'), { recursive: true });
});

afterEach(() => {
  server.closeAllConnections();
});

const modelFile = (): string => path.join(voicesDir, 'piper', 'test-voice.onnx');

async function expectComplete(): Promise<void> {
  expect(sha256(await readFile(modelFile()))).toBe(sha256(MODEL));
  expect(await readFile(`${modelFile()}.json`)).toEqual(CONFIG);
  expect(existsSync(`${modelFile()}.part`)).toBe(false);
}

describe('fetching a voice pack', () => {
  it('fetches every file through the mirror, reports progress up to 100 %, and reuses the files next time', async () => {
    const seen: FetchProgress[] = [];
    const result = await fetchPack(PACK, { ...FAST, voicesDir, mirror, onProgress: (p) => seen.push(p) });

    await expectComplete();
    expect(result).toMatchObject({ modelPath: modelFile(), fetchedBytes: TOTAL, reusedFiles: 0, replacedFiles: 0 });
    expect(seen[0]).toEqual({ bytes: 0, total: TOTAL, percent: 0 });
    expect(seen.at(-1)).toEqual({ bytes: TOTAL, total: TOTAL, percent: 100 });
    const percents = seen.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(new Set(percents).size).toBeGreaterThan(5);

    requests = [];
    const again = await fetchPack(PACK, { ...FAST, voicesDir, mirror, onProgress: (p) => seen.push(p) });
    expect(again).toMatchObject({ fetchedBytes: 0, reusedFiles: 2 });
    expect(requests).toEqual([]);
  });

  it('rejects a download whose checksum is wrong and fetches it again', async () => {
    behaviour.corrupt = new Set([1]);
    const result = await fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expectComplete();
    expect(requests.filter((r) => r.path.endsWith('.onnx'))).toHaveLength(2);
    expect(result.fetchedBytes).toBe(TOTAL + MODEL.length);
  });

  it('gives up with a one-line message when every try has the wrong checksum, leaving nothing behind', async () => {
    behaviour.corrupt = new Set([1, 2, 3]);
    const failure = fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expect(failure).rejects.toThrow(VoiceFetchError);
    await expect(failure).rejects.toThrow(
      /^test-voice\.onnx from 127\.0\.0\.1:\d+ did not match its checksum in 3 tries: .*--voice-file PATH$/,
    );
    expect(existsSync(modelFile())).toBe(false);
    expect(existsSync(`${modelFile()}.part`)).toBe(false);
  });

  it('resumes a connection cut mid-file with a Range request for the rest', async () => {
    const cut = 1024 * 1024;
    behaviour.cutAfter = { 1: cut };
    const result = await fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expectComplete();
    const modelRequests = requests.filter((r) => r.path.endsWith('.onnx'));
    expect(modelRequests).toHaveLength(2);
    expect(modelRequests[0]!.range).toBeUndefined();
    // Whatever reached the disk before the cut is kept; only the rest is asked for.
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(modelRequests[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(cut);
    expect(result.fetchedBytes).toBe(resumedAt + (MODEL.length - resumedAt) + CONFIG.length);
    expect(sentBytes).toBeLessThan(TOTAL + cut + 1);
  });

  it('continues a .part left by a crash, fetching only the missing bytes', async () => {
    const kept = 2 * 1024 * 1024;
    await writeFile(`${modelFile()}.part`, MODEL.subarray(0, kept));
    const result = await fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expectComplete();
    expect(requests.find((r) => r.path.endsWith('.onnx'))?.range).toBe(`bytes=${kept}-`);
    expect(result.fetchedBytes).toBe(MODEL.length - kept + CONFIG.length);
  });

  it('starts over when the server ignores Range', async () => {
    behaviour.ignoreRange = true;
    await writeFile(`${modelFile()}.part`, MODEL.subarray(0, 1000));
    const result = await fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expectComplete();
    expect(requests.filter((r) => r.path.endsWith('.onnx'))).toHaveLength(1);
    expect(result.fetchedBytes).toBe(TOTAL);
  });

  it('detects a .part of garbage, throws it away after the checksum fails and fetches the file whole', async () => {
    await writeFile(`${modelFile()}.part`, randomBytes(5000));
    await fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expectComplete();
    const ranges = requests.filter((r) => r.path.endsWith('.onnx')).map((r) => r.range);
    expect(ranges).toEqual(['bytes=5000-', undefined]);
  });

  it('replaces a broken file on disk (right size, wrong bytes) and a truncated one', async () => {
    await writeFile(modelFile(), randomBytes(MODEL.length));
    await writeFile(`${modelFile()}.json`, CONFIG.subarray(0, 10));
    const result = await fetchPack(PACK, { ...FAST, voicesDir, mirror });
    await expectComplete();
    expect(result).toMatchObject({ replacedFiles: 2, reusedFiles: 0, fetchedBytes: TOTAL });
  });

  it('says what to do when there is no server to fetch from', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const failure = fetchPack(PACK, { ...FAST, voicesDir, mirror: `http://127.0.0.1:${port}` });
    await expect(failure).rejects.toThrow(
      /^cannot fetch the natural voice test-voice from 127\.0\.0\.1:\d+ \(ECONNREFUSED\): no network\? start with --engine espeak, or --voice-file PATH/,
    );
  });

  it('says the release may have moved when the server answers 404', async () => {
    const failure = fetchPack(PACK, { ...FAST, voicesDir, mirror: `${mirror}/elsewhere` });
    await expect(failure).rejects.toThrow(/answered HTTP 404 for test-voice\.onnx .*update AITalk, or start with/);
    expect(requests).toHaveLength(1);
  });
});

describe('the terminal progress line', () => {
  it('prints the start, every 10 percentage points at most, and a line when done', () => {
    const lines: string[] = [];
    const terminal = terminalProgress('en_US-joe-medium', (line) => lines.push(line), { intervalMs: 60_000 });
    const total = 63_201_294;
    for (let percent = 0; percent <= 100; percent++) {
      terminal.progress({ bytes: Math.floor((total * percent) / 100), total, percent });
    }
    terminal.done({ modelPath: '', fetchedBytes: total, reusedFiles: 0, replacedFiles: 0 }, 12.34);
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('Fetching the natural voice en_US-joe-medium: 0 % (0 of 63 MB)');
    expect(lines[4]).toBe('Fetching the natural voice en_US-joe-medium: 40 % (25 of 63 MB)');
    expect(lines[10]).toBe('Fetching the natural voice en_US-joe-medium: 100 % (63 of 63 MB)');
    expect(lines[11]).toBe('Fetched the natural voice en_US-joe-medium: 63 MB in 12.3 s, checksums verified');
  });
});
