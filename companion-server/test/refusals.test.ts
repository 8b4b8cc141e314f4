import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import { rawRequest, tempDir, type ApiErrorJson } from './helpers.ts';

let open: CompanionHandle;
let locked: CompanionHandle;
let cache: { dir: string; remove: () => Promise<void> };
const TOKEN = 'correct-horse-battery';
const AITALK = `chrome-extension://${AITALK_EXTENSION_ID}`;
/** Another extension the learner has installed, which AITalk's companion must not serve unless told to. */
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

beforeAll(async () => {
  cache = await tempDir('aitalk-companion-refusals-');
  [open, locked] = await Promise.all([
    startCompanion({ port: 0, cacheMaxMb: 0, maxChars: 200, log: () => {} }),
    startCompanion({
      port: 0,
      cacheDir: cache.dir,
      token: TOKEN,
      allowOrigins: ['abcdefghijklmnopabcdefghijklmnop'],
      log: () => {},
    }),
  ]);
  await Promise.all([open.ready, locked.ready]);
});

afterAll(async () => {
  await Promise.all([open?.close(), locked?.close()]);
  await cache?.remove();
});

function speech(base: CompanionHandle, body: string | Buffer, headers: Record<string, string> = {}) {
  return rawRequest(`${base.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

function errorOf(response: { json<T>(): T }): ApiErrorJson['error'] {
  return response.json<ApiErrorJson>().error;
}

describe('bad input gets a JSON error with the right status, and the server keeps running', () => {
  it.each([
    ['a body that is not JSON', '{"input": "Hello', 400, /not valid JSON/],
    ['a JSON array', '["Hello."]', 400, /JSON object/],
    ['no input', '{"voice": "en-us"}', 400, /"input" is required/],
    ['an empty input', '{"input": "   "}', 400, /empty/],
    ['an input that is not a string', '{"input": 42}', 400, /must be a string/],
    ['an unknown voice', '{"input": "Hello.", "voice": "../../etc/passwd"}', 400, /Unknown voice.*en-us/],
    ['an unsupported format', '{"input": "Hello.", "response_format": "opus"}', 400, /wav, pcm, mp3/],
    ['a speed out of range', '{"input": "Hello.", "speed": 9}', 400, /"speed" must be a number from 0.25 to 4/],
    ['a speed that is not a number', '{"input": "Hello.", "speed": "fast"}', 400, /"speed"/],
    ['an input over the limit', JSON.stringify({ input: 'a'.repeat(201) }), 413, /201 characters; the limit is 200/],
  ])('%s', async (_name, body, status, message) => {
    const response = await speech(open, body);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(errorOf(response).message).toMatch(message);
    expect(errorOf(response).type).toEqual(expect.any(String));
  });

  it('refuses a body over the size limit before reading it all', async () => {
    const response = await speech(open, Buffer.alloc(200 * 6 + 5000, 0x61));
    expect(response.status).toBe(413);
    expect(errorOf(response).type).toBe('request_too_large');
  });

  it('answers a wrong method with 405 and the allowed one', async () => {
    const get = await rawRequest(`${open.url}/v1/audio/speech`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(errorOf(get).type).toBe('method_not_allowed');
    const post = await rawRequest(`${open.url}/voices`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await rawRequest(`${open.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(errorOf(response).type).toBe('not_found_error');
  });

  it('still speaks after all of that', async () => {
    const response = await speech(open, '{"input": "Still here.", "response_format": "wav"}');
    expect(response.status).toBe(200);
    expect(response.body.length).toBeGreaterThan(10_000);
  });
});

describe('strangers are refused', () => {
  it.each(['https://evil.example', 'http://localhost:3000', 'null', 'file://'])(
    'refuses a web page with Origin %s, without CORS headers',
    async (origin) => {
      const response = await speech(open, '{"input": "Hello."}', { origin });
      expect(response.status).toBe(403);
      expect(errorOf(response).message).toMatch(/not allowed/);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it('refuses a web page preflight too', async () => {
    const response = await rawRequest(`${open.url}/v1/audio/speech`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([
    'evil.example',
    'evil.example:8730',
    '192.168.1.20:8730',
    'localhost.evil.example',
    '127.0.0.1.nip.io:8730',
  ])('refuses Host "%s" (DNS rebinding)', async (host) => {
    const response = await rawRequest(`${open.url}/health`, { headers: { host } });
    expect(response.status).toBe(403);
    expect(errorOf(response).message).toMatch(/Host/);
  });

  it.each(['localhost', `localhost:8730`, '127.0.0.1:8730', '[::1]:8730'])('accepts Host "%s"', async (host) => {
    const response = await rawRequest(`${open.url}/health`, { headers: { host } });
    expect(response.status).toBe(200);
  });

  it('lets AITalk in by its stable id: preflight answered, CORS reflecting its origin, audio served', async () => {
    for (const origin of [AITALK]) {
      const preflight = await rawRequest(`${open.url}/v1/audio/speech`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(origin);
      expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');

      const response = await speech(open, '{"input": "Hello."}', { origin });
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
    }
  });

  it.each([EXTENSION, 'moz-extension://0f0e8c1e-7a56-4b2a-9b1b-6f2d1d2f4e11'])(
    'refuses another extension (%s) with 403, a preflight too, and says how to allow it',
    async (origin) => {
      const preflight = await rawRequest(`${open.url}/v1/audio/speech`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const response = await speech(open, '{"input": "Hello."}', { origin });
      expect(response.status).toBe(403);
      expect(errorOf(response).message).toContain(`--allow-origin ${new URL(origin).hostname}`);
      expect((await rawRequest(`${open.url}/health`, { headers: { origin } })).status).toBe(403);
    },
  );

  it('lets tools without an Origin in (curl, scripts)', async () => {
    const response = await speech(open, '{"input": "Hello."}');
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with --allow-origin, lets that extension in besides AITalk, and no other', async () => {
    const other = await speech(locked, '{"input": "Hello."}', {
      origin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(other.status).toBe(403);
    for (const origin of [EXTENSION, AITALK]) {
      const allowed = await speech(locked, '{"input": "Hello."}', { origin, authorization: `Bearer ${TOKEN}` });
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe(origin);
    }
  });

  it('with --token, needs the bearer token on every route, and answers preflights without it', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-here', `Basic ${TOKEN}`, TOKEN]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      for (const [method, path] of [
        ['GET', '/health'],
        ['GET', '/voices'],
        ['POST', '/v1/audio/speech'],
      ] as const) {
        const body = method === 'POST' ? '{"input": "Hello."}' : undefined;
        const response = await rawRequest(`${locked.url}${path}`, { method, headers, body });
        expect(response.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    }
    const preflight = await rawRequest(`${locked.url}/v1/audio/speech`, {
      method: 'OPTIONS',
      headers: { origin: EXTENSION, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    const health = await rawRequest(`${locked.url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(health.status).toBe(200);
  });
});
