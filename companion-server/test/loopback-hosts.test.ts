import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import { rawRequest, type ApiErrorJson } from './helpers.ts';

const AITALK = `chrome-extension://${AITALK_EXTENSION_ID}`;

// Every 127.x.y.z is loopback on Linux, so these bind without any setup. `127.2` is how a learner may type
// 127.0.0.2: the companion binds 127.0.0.2, and a browser's URL parser writes "127.0.0.2" in Host.
let typed: CompanionHandle;
let short: CompanionHandle;

beforeAll(async () => {
  [typed, short] = await Promise.all([
    startCompanion({ host: '127.0.0.2', port: 0, cacheMaxMb: 0, log: () => {} }),
    startCompanion({ host: '127.2', port: 0, cacheMaxMb: 0, log: () => {} }),
  ]);
  await Promise.all([typed.ready, short.ready]);
});

afterAll(async () => {
  await Promise.all([typed?.close(), short?.close()]);
});

describe('a companion started with --host on another loopback address', () => {
  it.each([
    ['--host 127.0.0.2', () => typed],
    ['--host 127.2', () => short],
  ])('%s answers /health and AITalk’s speech requests at http://127.0.0.2', async (_name, handle) => {
    const base = `http://127.0.0.2:${handle().port}`;
    const health = await rawRequest(`${base}/health`, { headers: { origin: AITALK } });
    expect(health.status).toBe(200);
    expect(health.json<{ ready: boolean }>().ready).toBe(true);

    const preflight = await rawRequest(`${base}/v1/audio/speech`, {
      method: 'OPTIONS',
      headers: { origin: AITALK, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(AITALK);

    const speech = await rawRequest(`${base}/v1/audio/speech`, {
      method: 'POST',
      headers: { origin: AITALK, 'content-type': 'application/json' },
      body: '{"input": "Hello there.", "response_format": "wav"}',
    });
    expect(speech.status).toBe(200);
    expect(speech.headers['content-type']).toBe('audio/wav');
    expect(speech.headers['access-control-allow-origin']).toBe(AITALK);
    expect(speech.body.length).toBeGreaterThan(10_000);
  });

  it.each(['evil.example:8730', 'localhost.evil.example', '127.0.0.2.nip.io', '127.0.0.3', '192.168.1.20'])(
    'still refuses Host "%s" (DNS rebinding, or another address)',
    async (host) => {
      for (const handle of [typed, short]) {
        const response = await rawRequest(`http://127.0.0.2:${handle.port}/health`, {
          headers: { host, origin: AITALK },
        });
        expect(response.status).toBe(403);
        expect(response.json<ApiErrorJson>().error.message).toMatch(/Host/);
      }
    },
  );
});
