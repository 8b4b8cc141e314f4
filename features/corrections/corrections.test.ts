import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { StructuredMode } from './correction-schema';
import { requestCorrections, type ChatEndpoint } from './corrections';
import { chatCompletion } from '../../core/testing/chat';
import {
  RECHECK_AFTER_MS,
  structuredSupport,
  structuredSupportItem,
  type StructuredSupportMemory,
} from './structured-support';

const ENDPOINT: ChatEndpoint = { apiKey: 'sk-test', baseUrl: 'https://api.example.test/v1', model: 'gpt-4o-mini' };
const INPUT = {
  sentence: 'Yesterday I go to the library',
  previousTeacherLine: 'What did you do yesterday?',
  explanationLanguage: 'en' as const,
};
const GOOD_ANSWER = {
  corrections: [
    {
      original: 'I go',
      corrected: 'I went',
      explanation: 'Past tense for yesterday.',
      kind: 'grammar',
      grammar_point: 'past-simple',
    },
  ],
  natural: 'Yesterday I went to the library.',
};

interface SentRequest {
  response_format?: {
    type: string;
    json_schema?: { name: string; strict: boolean; schema: { properties: Record<string, unknown> } };
  };
  messages: Array<{ role: string; content: string }>;
}

const UNAVAILABLE = {
  status: 400,
  body: {
    error: {
      message: 'This response_format type is unavailable now',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_request_error',
    },
  },
};

/** A server: given each request body, what it answers (status + JSON). Records what was sent. */
function server(answer: (body: SentRequest) => { status: number; body: unknown }) {
  const sent: SentRequest[] = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as SentRequest;
    sent.push(body);
    const { status, body: reply } = answer(body);
    return new Response(JSON.stringify(reply), { status, headers: { 'content-type': 'application/json' } });
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

function memory(initial?: StructuredMode): StructuredSupportMemory & { saved: StructuredMode[] } {
  let mode = initial;
  const saved: StructuredMode[] = [];
  return {
    saved,
    get: async () => mode,
    remember: async (_url, next) => {
      mode = next;
      saved.push(next);
    },
  };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('requestCorrections', () => {
  it('asks with a strict json_schema and returns the validated corrections', async () => {
    const api = server(() => ({ status: 200, body: chatCompletion(JSON.stringify(GOOD_ANSWER)) }));
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support: memory() });
    expect(outcome).toEqual({
      ok: true,
      mode: 'json_schema',
      check: {
        sentence: INPUT.sentence,
        corrections: [
          {
            original: 'I go',
            corrected: 'I went',
            explanation: 'Past tense for yesterday.',
            kind: 'grammar',
            grammarPoint: 'past-simple',
          },
        ],
        natural: GOOD_ANSWER.natural,
        dropped: 0,
      },
    });
    const format = api.sent[0]?.response_format;
    expect(format?.type).toBe('json_schema');
    expect(format?.json_schema?.strict).toBe(true);
    expect(Object.keys(format?.json_schema?.schema.properties ?? {})).toEqual(['corrections', 'natural']);
    expect(api.sent[0]?.messages[1]?.content).toBe(
      'Teacher\'s previous line: "What did you do yesterday?"\nLearner\'s sentence: "Yesterday I go to the library"',
    );
  });

  it('asks for explanations in Simplified Chinese when chosen', async () => {
    const api = server(() => ({ status: 200, body: chatCompletion(JSON.stringify(GOOD_ANSWER)) }));
    await requestCorrections(
      ENDPOINT,
      { ...INPUT, explanationLanguage: 'zh-CN' },
      { fetch: api.fetch, support: memory() },
    );
    expect(api.sent[0]?.messages[0]?.content).toContain('written in Simplified Chinese (简体中文)');
  });

  it('falls back to json_object with the schema in the instructions when json_schema is unavailable, and remembers it', async () => {
    const api = server((body) =>
      body.response_format?.type === 'json_schema'
        ? UNAVAILABLE
        : { status: 200, body: chatCompletion(JSON.stringify(GOOD_ANSWER)) },
    );
    const support = memory();
    const first = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support });
    expect(first.ok && first.mode).toBe('json_object');
    expect(api.sent.map((b) => b.response_format?.type)).toEqual(['json_schema', 'json_object']);
    const instructions = api.sent[1]?.messages[0]?.content ?? '';
    expect(instructions).toMatch(/json/i);
    expect(instructions).toContain('"required":["original","corrected","explanation","kind","grammar_point"]');
    expect(support.saved).toEqual(['json_object']);

    const second = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support });
    expect(second.ok).toBe(true);
    expect(api.sent.slice(2).map((b) => b.response_format?.type)).toEqual(['json_object']);
  });

  it('falls back to plain instructions when json_object is refused too, and reads JSON wrapped in prose', async () => {
    const api = server((body) =>
      body.response_format
        ? UNAVAILABLE
        : { status: 200, body: chatCompletion(`Sure!\n\`\`\`json\n${JSON.stringify(GOOD_ANSWER)}\n\`\`\``) },
    );
    const support = memory();
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support });
    expect(outcome.ok && outcome.check.corrections[0]?.corrected).toBe('I went');
    expect(api.sent.map((b) => b.response_format?.type ?? 'plain')).toEqual(['json_schema', 'json_object', 'plain']);
    expect(support.saved).toEqual(['plain']);
  });

  it('remembers per base URL in storage.local, so another page starts from what works', async () => {
    const api = server((body) =>
      body.response_format?.type === 'json_schema'
        ? UNAVAILABLE
        : { status: 200, body: chatCompletion(JSON.stringify(GOOD_ANSWER)) },
    );
    await requestCorrections({ ...ENDPOINT, baseUrl: 'https://api.deepseek.test/v1/' }, INPUT, { fetch: api.fetch });
    expect(await structuredSupport.get('https://API.deepseek.test/v1')).toBe('json_object');
    expect(await structuredSupport.get('https://api.openai.test/v1')).toBeUndefined();
    expect(Object.keys(await structuredSupportItem.getValue())).toEqual(['https://api.deepseek.test/v1']);
  });

  it('asks a downgraded server for json_schema again after a week, in case it gained it', async () => {
    await structuredSupportItem.setValue({
      'https://api.old.test/v1': { mode: 'plain', at: Date.now() - RECHECK_AFTER_MS - 1000 },
      'https://api.recent.test/v1': { mode: 'json_object', at: Date.now() - 1000 },
    });
    expect(await structuredSupport.get('https://api.old.test/v1')).toBeUndefined();
    expect(await structuredSupport.get('https://api.recent.test/v1')).toBe('json_object');
  });

  it('steps down when a server accepts json_schema but ignores it and the model answers in prose', async () => {
    const api = server((body) =>
      body.messages[0]?.content.includes('JSON Schema')
        ? { status: 200, body: chatCompletion(JSON.stringify(GOOD_ANSWER)) }
        : { status: 200, body: chatCompletion('You should say "I went" because it happened yesterday.') },
    );
    const support = memory();
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support });
    expect(outcome.ok && outcome.mode).toBe('json_object');
    expect(support.saved).toEqual(['json_object']);
  });

  it('sends no request for a one-word answer', async () => {
    const api = server(() => ({ status: 500, body: {} }));
    const outcome = await requestCorrections(
      ENDPOINT,
      { ...INPUT, sentence: ' Yes. ' },
      { fetch: api.fetch, support: memory() },
    );
    expect(outcome).toMatchObject({ ok: true, check: { corrections: [] } });
    expect(api.sent).toHaveLength(0);
  });

  it('does not step down for a 400 that is about something else', async () => {
    const api = server(() => ({
      status: 400,
      body: {
        error: {
          message: "Invalid value: 'x'. Supported values are: 'system'.",
          type: 'invalid_request_error',
          param: 'messages[0].role',
          code: 'invalid_value',
        },
      },
    }));
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support: memory() });
    expect(api.sent).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'request-failed', canRetry: true } });
  });

  it('drops corrections that quote words the learner did not say, and keeps the rest', async () => {
    const answer = {
      ...GOOD_ANSWER,
      corrections: [
        ...GOOD_ANSWER.corrections,
        { original: 'she goes', corrected: 'she went', explanation: 'x', kind: 'grammar' },
      ],
    };
    const api = server(() => ({ status: 200, body: chatCompletion(JSON.stringify(answer)) }));
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support: memory() });
    expect(outcome.ok && outcome.check.corrections.map((c) => c.original)).toEqual(['I go']);
    expect(outcome.ok && outcome.check.dropped).toBe(1);
  });

  it('returns a failure with Retry, never throws, when no way of asking gives an answer that matches the schema', async () => {
    const api = server(() => ({
      status: 200,
      body: chatCompletion(
        JSON.stringify({ corrections: [{ ...GOOD_ANSWER.corrections[0], kind: 'tense' }], natural: 'x' }),
      ),
    }));
    const support = memory();
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support });
    expect(api.sent).toHaveLength(3);
    expect(support.saved).toEqual([]);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'invalid-answer', canRetry: true } });
    expect(!outcome.ok && outcome.failure.message).toMatch(/kind "tense" is not one of grammar/);
  });

  it('says the key was rejected when the server answers 401', async () => {
    const api = server(() => ({
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    }));
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support: memory() });
    expect(!outcome.ok && outcome.failure.message).toMatch(/rejected your API key/);
  });

  it('reports a cut-off answer instead of half a card', async () => {
    const api = server(() => ({ status: 200, body: chatCompletion('{"corrections": [', 'length') }));
    const outcome = await requestCorrections(ENDPOINT, INPUT, { fetch: api.fetch, support: memory() });
    expect(!outcome.ok && outcome.failure.message).toMatch(/cut off/);
  });

  it('ends quietly as "aborted" when the turn is cancelled', async () => {
    const controller = new AbortController();
    const fetch = ((_url: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof globalThis.fetch;
    const pending = requestCorrections(ENDPOINT, INPUT, { fetch, support: memory(), signal: controller.signal });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: { kind: 'aborted', canRetry: false } });
  });
});
