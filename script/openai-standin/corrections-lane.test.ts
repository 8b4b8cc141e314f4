import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StructuredMode } from '../../features/corrections/correction-schema.ts';
import { requestCorrections } from '../../features/corrections/corrections.ts';
import type { StructuredSupportMemory } from '../../features/corrections/structured-support.ts';
import { startStandin, type Standin } from './server.ts';

// The extension's corrections request end to end against the stand-in, whose every request is
// validated against the official OpenAPI description: the fallback chain over real HTTP.

let standin: Standin;

function memory(): StructuredSupportMemory {
  const known = new Map<string, StructuredMode>();
  return { get: async (url) => known.get(url), remember: async (url, mode) => void known.set(url, mode) };
}

const INPUT = {
  sentence: 'Yesterday I go to the library',
  previousTeacherLine: 'What did you do yesterday?',
  explanationLanguage: 'en' as const,
};

beforeAll(async () => {
  standin = await startStandin({ latencyProfile: 'fast' });
});

afterAll(async () => {
  await standin?.close();
});

beforeEach(() => {
  standin.control.reset();
});

describe('requestCorrections against the stand-in', () => {
  it.each([
    ['json_schema', ['json_schema'], 'json_schema'],
    ['json_object', ['json_schema', 'json_object'], 'json_object'],
    ['none', ['json_schema', 'json_object', 'plain'], 'plain'],
  ] as const)('a server with %s: asks %j, answers in %s mode', async (support, asked, mode) => {
    standin.control.setStructuredOutputs(support);
    const endpoint = { apiKey: standin.apiKey, baseUrl: standin.url, model: 'gpt-4o-mini' };
    const remembered = memory();
    const outcome = await requestCorrections(endpoint, INPUT, { support: remembered });
    expect(outcome).toMatchObject({ ok: true, mode });
    expect(outcome.ok && outcome.check.corrections.map((c) => [c.original, c.corrected, c.grammarPoint])).toEqual([
      ['go', 'went', 'past-simple'],
    ]);
    const sent = standin.requests.map(
      (r) => (r.body as { response_format?: { type: string } }).response_format?.type ?? 'plain',
    );
    expect(sent).toEqual(asked);
    expect(standin.requests.every((r) => r.valid)).toBe(true);

    standin.control.clearRequests();
    await requestCorrections(endpoint, INPUT, { support: remembered });
    expect(standin.requests).toHaveLength(1);
  });

  it('explains in Chinese when asked', async () => {
    const outcome = await requestCorrections(
      { apiKey: standin.apiKey, baseUrl: standin.url, model: 'gpt-4o-mini' },
      { ...INPUT, explanationLanguage: 'zh-CN' },
      { support: memory() },
    );
    expect(outcome.ok && outcome.check.corrections[0]?.explanation).toMatch(/过去式/);
  });

  it('reports a server error as a failure the card can retry, after one automatic retry', async () => {
    standin.control.failNext({ kind: 'server-error', endpoint: 'chat', count: 2 });
    const outcome = await requestCorrections(
      { apiKey: standin.apiKey, baseUrl: standin.url, model: 'gpt-4o-mini' },
      INPUT,
      { support: memory() },
    );
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'request-failed', canRetry: true } });
    expect(!outcome.ok && outcome.failure.message).toMatch(/had a problem on its side \(500\)/);
    expect(standin.requests).toHaveLength(2);
  });
});
