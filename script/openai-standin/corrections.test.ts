import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildCorrectionsRequest,
  CORRECTIONS_SCHEMA,
  parseAnswer,
  type CorrectionsInput,
} from '../../features/corrections/correction-schema.ts';
import { strictSchemaProblem } from './corrections.ts';
import { startStandin, type Standin } from './server.ts';

let standin: Standin;

const client = () => new OpenAI({ apiKey: standin.apiKey, baseURL: standin.url, maxRetries: 0, timeout: 10_000 });

const LIBRARY: CorrectionsInput = {
  sentence: 'Yesterday I go to the library',
  previousTeacherLine: 'What did you do yesterday?',
  explanationLanguage: 'en',
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

async function refusal(promise: Promise<unknown>): Promise<BadRequestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestError);
  return error as BadRequestError;
}

describe('the stand-in answers corrections requests', () => {
  it('answers a strict json_schema request, validated against the OpenAPI spec, with the past-tense fix', async () => {
    const completion = await client().chat.completions.create(
      buildCorrectionsRequest('json_schema', LIBRARY, 'gpt-4o-mini'),
    );
    expect(standin.requests[0]?.valid).toBe(true);
    const parsed = parseAnswer(completion.choices[0]?.message.content, LIBRARY.sentence);
    expect(parsed.ok && parsed.check.corrections).toEqual([
      {
        original: 'go',
        corrected: 'went',
        explanation: expect.stringContaining('past tense'),
        kind: 'grammar',
        grammarPoint: 'past-simple',
      },
    ]);
    expect(parsed.ok && parsed.check.natural).toBe('Yesterday I went to the library.');
  });

  it('explains in Simplified Chinese when the instructions ask for 简体中文', async () => {
    const completion = await client().chat.completions.create(
      buildCorrectionsRequest('json_schema', { ...LIBRARY, explanationLanguage: 'zh-CN' }, 'gpt-4o-mini'),
    );
    const parsed = parseAnswer(completion.choices[0]?.message.content, LIBRARY.sentence);
    expect(parsed.ok && parsed.check.corrections[0]?.explanation).toMatch(/过去式.*“go”要改成“went”/);
  });

  it('makes a corrections answer slow with correctionsMs, and leaves the teacher’s reply as fast as it was', async () => {
    standin.control.setLatency({ correctionsMs: 700 });
    let started = performance.now();
    await client().chat.completions.create(buildCorrectionsRequest('json_schema', LIBRARY, 'gpt-4o-mini'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(690);
    started = performance.now();
    await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Yesterday I go to the library.' }],
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('returns no corrections for a correct sentence', async () => {
    const input = { ...LIBRARY, sentence: 'I like to read books in the evening' };
    const completion = await client().chat.completions.create(
      buildCorrectionsRequest('json_schema', input, 'gpt-4o-mini'),
    );
    const parsed = parseAnswer(completion.choices[0]?.message.content, input.sentence);
    expect(parsed.ok && parsed.check.corrections).toEqual([]);
  });

  it('answers json_object and plain-instruction requests too (plain wraps the JSON in prose, as models do)', async () => {
    const object = await client().chat.completions.create(
      buildCorrectionsRequest('json_object', LIBRARY, 'gpt-4o-mini'),
    );
    const plain = await client().chat.completions.create(buildCorrectionsRequest('plain', LIBRARY, 'gpt-4o-mini'));
    expect(standin.requests.map((r) => r.valid)).toEqual([true, true]);
    expect(plain.choices[0]?.message.content).toMatch(/^Here are the corrections:\n```json\n/);
    for (const completion of [object, plain]) {
      const parsed = parseAnswer(completion.choices[0]?.message.content, LIBRARY.sentence);
      expect(parsed.ok && parsed.check.corrections.map((c) => [c.original, c.corrected])).toEqual([['go', 'went']]);
    }
  });

  it('still talks like the teacher when the request is not about corrections', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Yesterday I go to the park.' }],
    });
    expect(completion.choices[0]?.message.content).toMatch(/^You said: /);
  });
});

describe('servers without structured outputs', () => {
  it('json_object mode: refuses json_schema with a 400 "response_format type is unavailable", accepts json_object', async () => {
    standin.control.setStructuredOutputs('json_object');
    const error = await refusal(
      client().chat.completions.create(buildCorrectionsRequest('json_schema', LIBRARY, 'gpt-4o-mini')),
    );
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/response_format type is unavailable/);
    expect(error.type).toBe('invalid_request_error');
    const completion = await client().chat.completions.create(
      buildCorrectionsRequest('json_object', LIBRARY, 'gpt-4o-mini'),
    );
    expect(parseAnswer(completion.choices[0]?.message.content, LIBRARY.sentence).ok).toBe(true);
  });

  it('none mode: refuses json_object as well, answers plain instructions', async () => {
    standin.control.setStructuredOutputs('none');
    await refusal(client().chat.completions.create(buildCorrectionsRequest('json_object', LIBRARY, 'gpt-4o-mini')));
    const completion = await client().chat.completions.create(buildCorrectionsRequest('plain', LIBRARY, 'gpt-4o-mini'));
    expect(parseAnswer(completion.choices[0]?.message.content, LIBRARY.sentence).ok).toBe(true);
  });

  it('can be switched over the control API, and rejects an unknown mode', async () => {
    const set = (structuredOutputs: string) =>
      fetch(`${standin.origin}/__control/config`, { method: 'POST', body: JSON.stringify({ structuredOutputs }) });
    expect((await set('maybe')).status).toBe(400);
    expect((await set('none')).status).toBe(200);
    expect(standin.control.config.structuredOutputs).toBe('none');
  });
});

describe('OpenAI request rules the stand-in enforces', () => {
  it('refuses json_object when no message mentions JSON', async () => {
    const error = await refusal(
      client().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hello' }],
        response_format: { type: 'json_object' },
      }),
    );
    expect(error.message).toMatch(/must contain the word 'json'/);
  });

  it('refuses a strict schema with an optional property or an open object', async () => {
    expect(strictSchemaProblem(CORRECTIONS_SCHEMA)).toBeNull();
    const loose = {
      type: 'object',
      additionalProperties: false,
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    };
    expect(strictSchemaProblem(loose)).toMatch(/Missing 'b'/);
    const error = await refusal(
      client().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hello' }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } },
        },
      }),
    );
    expect(error.message).toMatch(/Invalid schema for response_format 'x'.*additionalProperties/);
  });
});
