import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../src/audio.ts';
import { startCompanion, type CompanionHandle, type StartOptions } from '../src/server.ts';
import { FAKE_COQUI_PATH, rawRequest, tempDir, type ApiErrorJson } from './helpers.ts';

// Everything here runs the real worker (companion-server/coqui_worker.py) in a real Python, with the
// stand-in TTS package from ./fake-coqui on PYTHONPATH instead of coqui-tts (PyPI is out of reach).

interface LogLine {
  event: 'load' | 'to' | 'tts';
  pid: number;
  text?: string;
  speaker?: string | null;
  language?: string | null;
  model?: string;
}

/** What the worker speaks once after loading, before it reports ready (coqui_worker.py WARM_UP_TEXT). */
const WARM_UP = 'Hello, and welcome back.';

let work: { dir: string; remove: () => Promise<void> };
const running: CompanionHandle[] = [];

beforeAll(async () => {
  work = await tempDir('aitalk-companion-coqui-');
});

afterAll(async () => {
  await Promise.all(running.map((companion) => companion.close()));
  await work?.remove();
});

async function startFake(name: string, options: Partial<StartOptions> & { fakeEnv?: NodeJS.ProcessEnv } = {}) {
  const logFile = path.join(work.dir, `${name}.jsonl`);
  const { fakeEnv, ...rest } = options;
  const companion = await startCompanion({
    port: 0,
    engine: 'coqui',
    model: 'tts_models/en/fake/ljspeech',
    python: 'python3',
    cacheMaxMb: 0,
    log: () => {},
    env: {
      PYTHONPATH: FAKE_COQUI_PATH,
      FAKE_COQUI_LOG: logFile,
      FAKE_COQUI_SLOW_SECONDS: '0.8',
      ...fakeEnv,
    },
    ...rest,
  });
  running.push(companion);
  const log = async (): Promise<LogLine[]> => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  };
  /** What the companion asked for, without the worker's own warm-up sentences. */
  const requests = async (): Promise<LogLine[]> =>
    (await log()).filter((line) => line.event === 'tts' && line.text !== WARM_UP);
  return { companion, log, requests };
}

function speak(companion: CompanionHandle, input: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) {
  return fetch(`${companion.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input, response_format: 'wav', ...extra }),
    signal,
  });
}

/** What the stand-in's tts() returns for `text`, as the worker must pass it on: clipped, scaled, truncated. */
function expectedPcm(text: string): Buffer {
  const length = [...text].length;
  const count = 200 * length;
  const pcm = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    const value = (((i * 7919 + length * 31) % 2001) - 1000) / 1000;
    pcm.writeInt16LE(Math.trunc(value * 32767), i * 2);
  }
  return pcm;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('coqui engine with the stand-in TTS package', () => {
  let fake: Awaited<ReturnType<typeof startFake>>;

  beforeAll(async () => {
    fake = await startFake('main', { maxQueue: 2, fakeEnv: { FAKE_COQUI_LOAD_SECONDS: '1' } });
  });

  it('says it is loading, and answers 503 with Retry-After, until the model is loaded', async () => {
    const health = (await (await fetch(`${fake.companion.url}/health`)).json()) as { status: string; ready: boolean };
    expect(health).toMatchObject({ status: 'loading', ready: false });
    const response = await speak(fake.companion, 'Too early.');
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await response.json()) as ApiErrorJson).error.type).toBe('engine_loading');
    expect((await fetch(`${fake.companion.url}/voices`)).status).toBe(503);

    await fake.companion.ready;
    const after = (await (await fetch(`${fake.companion.url}/health`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({
      status: 'ok',
      ready: true,
      engine: 'coqui',
      model: 'tts_models/en/fake/ljspeech',
      device: 'cpu',
    });
  });

  it('loads the model once for many requests, and passes its audio through unchanged', async () => {
    const texts = ['Hello there.', 'How are you today?', 'I am fine.', 'Thank you.', 'Good night.'];
    const concurrent = await Promise.all(texts.slice(0, 3).map((text) => speak(fake.companion, text)));
    const sequential = [];
    for (const text of texts.slice(3)) sequential.push(await speak(fake.companion, text));
    const responses = [...concurrent, ...sequential];
    for (const [index, response] of responses.entries()) {
      expect(response.status).toBe(200);
      const { sampleRate, pcm } = decodeWav(Buffer.from(await response.arrayBuffer()));
      expect(sampleRate).toBe(16000);
      expect(pcm.equals(expectedPcm(texts[index]!))).toBe(true);
    }
    const log = await fake.log();
    expect(log.filter((line) => line.event === 'load')).toHaveLength(1);
    expect(log.filter((line) => line.event === 'to')).toEqual([expect.objectContaining({ device: 'cpu' })]);
    expect((await fake.requests()).map((line) => line.text).sort()).toEqual([...texts].sort());
  });

  it('warms the model up with one sentence before it says it is ready', async () => {
    const log = await fake.log();
    expect(log.slice(0, 3).map((line) => [line.event, line.text])).toEqual([
      ['load', undefined],
      ['to', undefined],
      ['tts', WARM_UP],
    ]);
  });

  it('synthesises a long text one sentence at a time, in order', async () => {
    const response = await speak(fake.companion, 'First one here. Second one here. Third one here.');
    const { pcm } = decodeWav(Buffer.from(await response.arrayBuffer()));
    const expected = Buffer.concat(['First one here.', 'Second one here.', 'Third one here.'].map(expectedPcm));
    expect(pcm.equals(expected)).toBe(true);
  });

  it('turns a synthesis error into a 500 JSON error and keeps the same worker', async () => {
    const response = await speak(fake.companion, 'Please FAIL here.');
    expect(response.status).toBe(500);
    const body = (await response.json()) as ApiErrorJson;
    expect(body.error.type).toBe('engine_error');
    expect(body.error.message).toMatch(/fake synthesis failure/);
    expect((await speak(fake.companion, 'Fine again.')).status).toBe(200);
    expect((await fake.log()).filter((line) => line.event === 'load')).toHaveLength(1);
  });

  it('refuses with 503 when the queue is full, and serves the ones it queued', async () => {
    const first = speak(fake.companion, 'SLOW number one.');
    await sleep(100);
    const queued = [speak(fake.companion, 'SLOW number two.'), speak(fake.companion, 'SLOW number three.')];
    await sleep(100);
    const refused = await speak(fake.companion, 'SLOW number four.');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as ApiErrorJson).error.type).toBe('queue_full');
    expect(refused.headers.get('retry-after')).toBe('1');
    const statuses = await Promise.all([first, ...queued].map(async (response) => (await response).status));
    expect(statuses).toEqual([200, 200, 200]);
    const spoken = (await fake.log()).map((line) => line.text);
    expect(spoken).not.toContain('SLOW number four.');
  });

  it('drops a queued request whose client went away before it reached the worker', async () => {
    const first = speak(fake.companion, 'SLOW alpha.');
    await sleep(100);
    const leaving = new AbortController();
    const abandoned = speak(fake.companion, 'SLOW bravo.', {}, leaving.signal);
    await sleep(100);
    leaving.abort();
    await expect(abandoned).rejects.toThrow();
    expect((await first).status).toBe(200);
    await sleep(300);
    expect((await fake.log()).map((line) => line.text)).not.toContain('SLOW bravo.');
    const health = (await (await fetch(`${fake.companion.url}/health`)).json()) as {
      queue: { active: number; waiting: number };
    };
    expect(health.queue).toMatchObject({ active: 0, waiting: 0 });
  });

  it('stops a long text after the current sentence when the client goes away', async () => {
    const leaving = new AbortController();
    const response = speak(fake.companion, 'SLOW one. SLOW two. SLOW three.', {}, leaving.signal);
    await sleep(300);
    leaving.abort();
    await expect(response).rejects.toThrow();
    await sleep(1500);
    const spoken = (await fake.log()).map((line) => line.text);
    expect(spoken).toContain('SLOW one.');
    expect(spoken).not.toContain('SLOW two.');
    expect(spoken).not.toContain('SLOW three.');
    expect((await speak(fake.companion, 'Still working.')).status).toBe(200);
  });

  it('fails the request with a 5xx when the worker dies, then loads a new worker for the next one', async () => {
    const crashed = await speak(fake.companion, 'This will CRASH now.');
    expect(crashed.status).toBe(500);
    const body = (await crashed.json()) as ApiErrorJson;
    expect(body.error.type).toBe('engine_error');
    expect(body.error.message).toMatch(/stopped unexpectedly \(exit code 17\)/);

    await until(async () => ((await (await fetch(`${fake.companion.url}/health`)).json()) as { ready: boolean }).ready);
    const next = await speak(fake.companion, 'Back again.');
    expect(next.status).toBe(200);
    expect(decodeWav(Buffer.from(await next.arrayBuffer())).pcm.equals(expectedPcm('Back again.'))).toBe(true);
    const loads = (await fake.log()).filter((line) => line.event === 'load');
    expect(loads).toHaveLength(2);
    expect(loads[0]!.pid).not.toBe(loads[1]!.pid);
  });
});

describe('coqui engine: voices, timeouts and load failures', () => {
  it("offers a multi-speaker model's speakers as voices, trimmed, and passes the chosen one as the model spells it", async () => {
    const { companion, requests } = await startFake('vctk', { model: 'tts_models/en/fake/vctk' });
    await companion.ready;
    const voices = (await (await fetch(`${companion.url}/voices`)).json()) as {
      default: string;
      voices: { id: string }[];
    };
    expect(voices.voices.map((voice) => voice.id)).toEqual(['p225', 'p226', 'ED', 'p227']);
    expect(voices.default).toBe('p225');
    expect((await speak(companion, 'Hello.', { voice: 'p226' })).status).toBe(200);
    expect((await speak(companion, 'Hello.', { voice: 'ED' })).status).toBe(200);
    expect((await speak(companion, 'Hello.', { voice: 'p999' })).status).toBe(400);
    expect((await requests()).map((line) => line.speaker)).toEqual(['p226', 'ED\n']);
  });

  it('gives a multilingual model English, which the library requires of it', async () => {
    const { companion, requests } = await startFake('multilingual', { model: 'tts_models/multilingual/fake/your_tts' });
    await companion.ready;
    expect((await speak(companion, 'Hello.', { voice: 'p227' })).status).toBe(200);
    expect(await requests()).toEqual([expect.objectContaining({ speaker: 'p227', language: 'en' })]);
  });

  it("refuses a name that is not in the library's model list, and says how to list them", async () => {
    const { companion } = await startFake('unknown', { model: 'tts_models/en/fake/nonexistent' });
    await expect(companion.ready).rejects.toThrow(/not one of coqui-tts's models.*--list_models/);
  });

  it('answers 504 when a sentence takes longer than the timeout, and replaces the stuck worker', async () => {
    const { companion, log } = await startFake('timeout', {
      timeoutMs: 1000,
      fakeEnv: { FAKE_COQUI_SLOW_SECONDS: '30' },
    });
    await companion.ready;
    const response = await speak(companion, 'SLOW forever.');
    expect(response.status).toBe(504);
    expect(((await response.json()) as ApiErrorJson).error.type).toBe('timeout');
    await until(async () => ((await (await fetch(`${companion.url}/health`)).json()) as { ready: boolean }).ready);
    expect((await speak(companion, 'Quick one.')).status).toBe(200);
    expect((await log()).filter((line) => line.event === 'load')).toHaveLength(2);
  });

  it('reports a model that cannot load in /health and refuses speech with the reason', async () => {
    const { companion } = await startFake('broken', { model: 'tts_models/en/fake/broken' });
    await expect(companion.ready).rejects.toThrow(
      /could not load tts_models\/en\/fake\/broken: fake model files are corrupt/,
    );
    const health = (await (await fetch(`${companion.url}/health`)).json()) as { status: string; message: string };
    expect(health.status).toBe('error');
    const response = await rawRequest(`${companion.url}/v1/audio/speech`, {
      method: 'POST',
      body: '{"input": "Hello."}',
    });
    expect(response.status).toBe(503);
    expect(response.json<ApiErrorJson>().error.message).toMatch(/fake model files are corrupt/);
  });

  it('says how to install coqui-tts when Python does not have it', async () => {
    const companion = await startCompanion({
      port: 0,
      engine: 'coqui',
      python: 'python3',
      cacheMaxMb: 0,
      log: () => {},
      env: { PYTHONPATH: '' },
    });
    running.push(companion);
    await expect(companion.ready).rejects.toThrow(/coqui-tts is not installed.*npm run setup:coqui/);
  });
});
