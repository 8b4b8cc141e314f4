import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KOKORO_V1, PIPER_JOE, licenceAllowsUse, type VoicePack } from './catalog.ts';
import { neuralPlan } from './neural.ts';

describe('which voices are offered', () => {
  it('offers the catalog voices, whose licences allow any use', () => {
    expect(licenceAllowsUse(PIPER_JOE.spdx)).toBe(true);
    expect(licenceAllowsUse(KOKORO_V1.spdx)).toBe(true);
  });

  it('tells licences that allow AITalk’s use from those that do not', () => {
    expect(licenceAllowsUse('MIT AND CC0-1.0')).toBe(true);
    expect(licenceAllowsUse('(CC-BY-NC-4.0 OR Apache-2.0)')).toBe(true);
    expect(licenceAllowsUse('CC-BY-NC-4.0')).toBe(false);
    expect(licenceAllowsUse('Apache-2.0 AND CPML')).toBe(false);
  });

  it('never fetches a voice whose licence forbids the use, and says what to do instead', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests++;
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const nonCommercial: VoicePack = { ...PIPER_JOE, id: 'en_US-somebody-high', spdx: 'CC-BY-NC-SA-4.0' };
    const plan = neuralPlan({
      engine: 'piper',
      config: {
        voiceFile: undefined,
        voicesDir: '/nonexistent',
        voiceMirror: mirror,
        maxQueue: 4,
        timeoutMs: 1000,
        model: 'x',
      },
      factories: {},
      packs: { piper: nonCommercial },
    });
    try {
      await expect(plan.locate({ onProgress: () => {}, signal: new AbortController().signal })).rejects.toThrow(
        /en_US-somebody-high is licensed CC-BY-NC-SA-4\.0, which does not allow AITalk's use.*--engine espeak/,
      );
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });
});
