// @vitest-environment node
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { TEST_SAMPLE_TEXT, testConnection } from './connection-test';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { thisComputerSettings } from './this-computer';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

/**
 * A stand-in for a companion started with --stt (its transcription is another branch's work and needs Whisper):
 * /health as companion-server/src/app.ts reports it, with `stt` as the test sets it, and the transcription
 * endpoint answering the shipped sample's sentence to the right token only.
 */
interface Seen {
  path: string;
  authorization: string | undefined;
  body: string;
}
let companion: Server;
let companionUrl = '';
let stt: Record<string, unknown> | undefined;
let token = '';
const seen: Seen[] = [];

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

beforeAll(async () => {
  companion = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      const authorization = request.headers.authorization;
      seen.push({ path: request.url ?? '', authorization, body });
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (token && authorization !== `Bearer ${token}`) return json(401, { error: { message: 'token' } });
      if (request.url === '/health') return json(200, { engine: 'espeak', ready: true, ...(stt ? { stt } : {}) });
      if (request.url === '/v1/audio/transcriptions' && request.method === 'POST') {
        return json(200, {
          text: TEST_SAMPLE_TEXT,
          words: [{ word: 'Hello', start: 0, end: 0.4 }],
          duration: 1.6,
        });
      }
      json(404, { error: { message: 'not found' } });
    });
  });
  await new Promise<void>((resolve) => companion.listen(0, '127.0.0.1', resolve));
  companionUrl = `http://127.0.0.1:${(companion.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => companion?.close(resolve));
});

beforeEach(() => {
  fakeBrowser.reset();
  seen.length = 0;
  token = '';
  stt = { state: 'ready', model: 'tiny.en', percent: null, message: null };
});

const loadSample = async () => new Blob([new Uint8Array([79, 103, 103, 83])], { type: 'audio/ogg' });

/** "This computer", with the chat server pointed nowhere (only the transcription line is under test). */
function local(overrides: Partial<Settings> = {}): Settings {
  return {
    ...thisComputerSettings({ ...DEFAULT_SETTINGS, companionUrl, ...overrides }, 'ollama'),
    apiBaseUrl: 'http://127.0.0.1:9/v1',
  };
}

const keys = { apiKey: '', transcriptionKey: 'typed-for-another-server' };

describe('Test connection with the companion transcribing', () => {
  it('transcribes the sample there, asking tiny.en for word timings, with the companion token', async () => {
    token = 'companion-secret';
    const report = await testConnection(local({ companionToken: token }), keys, { loadSample });
    expect(report.transcription).toEqual({ ok: true, message: `Heard “${TEST_SAMPLE_TEXT}” in the test recording.` });
    const upload = seen.find((request) => request.path === '/v1/audio/transcriptions');
    expect(upload?.authorization).toBe('Bearer companion-secret');
    expect(upload?.body).toMatch(/name="model"\r\n\r\ntiny\.en\r\n/);
    expect(upload?.body).toMatch(/name="response_format"\r\n\r\nverbose_json\r\n/);
    // No GET /v1/models: the companion has none; its /health says whether it transcribes.
    expect(seen.map((request) => request.path)).not.toContain('/v1/models');
    expect(report.companion.ok).toBe(true);
  });

  it('says how to turn transcription on when the companion runs without --stt, and sends nothing', async () => {
    stt = { state: 'off' };
    const report = await testConnection(local(), keys, { loadSample });
    expect(report.transcription).toEqual({
      ok: false,
      message:
        'Transcription is off in the companion: stop it and start it again with npm start -- --stt, then test again.',
    });
    expect(seen.map((request) => request.path)).not.toContain('/v1/audio/transcriptions');
  });

  it('says an older companion cannot transcribe', async () => {
    stt = undefined;
    const report = await testConnection(local(), keys, { loadSample });
    expect(report.transcription.ok).toBe(false);
    expect(report.transcription.message).toContain('This companion does not transcribe');
  });

  it('says the model is still coming, and why it failed, in the companion’s words', async () => {
    stt = { state: 'fetching', model: 'tiny.en', percent: 42.7, message: null };
    expect((await testConnection(local(), keys, { loadSample })).transcription.message).toBe(
      'The companion is fetching its Whisper model tiny.en (42 %). Test again when it is done.',
    );
    stt = { state: 'failed', model: 'tiny.en', percent: null, message: 'faster-whisper is not installed.' };
    const failed = (await testConnection(local(), keys, { loadSample })).transcription;
    expect(failed.ok).toBe(false);
    expect(failed.message).toContain('could not load its Whisper model tiny.en: faster-whisper is not installed.');
  });

  it('asks for the token when the companion wants one', async () => {
    token = 'companion-secret';
    const report = await testConnection(local({ companionToken: 'wrong' }), keys, { loadSample });
    expect(report.transcription).toEqual({
      ok: false,
      message: 'The voice server wants a token: copy the one it was started with into "Companion token".',
    });
  });

  it('says how to start it when no companion is running there', async () => {
    const report = await testConnection(local({ companionUrl: 'http://127.0.0.1:9' }), keys, { loadSample });
    expect(report.transcription).toEqual({
      ok: false,
      message:
        'The companion is not running at http://127.0.0.1:9. Start it with npm start -- --stt in the AITalk folder, then test again.',
    });
  });
});
