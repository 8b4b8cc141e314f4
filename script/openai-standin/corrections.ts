/**
 * The stand-in's structured outputs: answers a corrections request (json_schema, json_object or
 * plain instructions) with a deterministic correction of the learner's sentence, and imitates
 * servers that lack json_schema (DeepSeek answers 400 "This response_format type is unavailable
 * now") or json_object as well.
 */
import type { OpenAIErrorBody } from './openapi-validator.ts';
import { answerFacts } from './memory.ts';
import { correct, type TeacherMessage } from './teacher.ts';

/** What the server supports: everything (OpenAI), json_object only, or neither. */
export type StructuredOutputs = 'json_schema' | 'json_object' | 'none';
export const STRUCTURED_OUTPUTS: readonly StructuredOutputs[] = ['json_schema', 'json_object', 'none'];

export type StructuredAnswer =
  | { kind: 'not-structured' }
  | { kind: 'refused'; error: OpenAIErrorBody }
  | { kind: 'answer'; content: string };

const invalid = (message: string, param: string | null = null, code: string | null = null): StructuredAnswer => ({
  kind: 'refused',
  error: { error: { message, type: 'invalid_request_error', param, code } },
});

type Schema = { [key: string]: unknown };
const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * OpenAI's strict mode refuses a schema with an open object or an optional property; report the
 * first such place the way it does ("In context=('properties', 'x'), …").
 */
export function strictSchemaProblem(schema: unknown, context: string[] = []): string | null {
  if (!isSchema(schema)) return null;
  const where = `In context=(${context.map((c) => `'${c}'`).join(', ')})`;
  if (schema.type === 'object' || isSchema(schema.properties)) {
    if (schema.additionalProperties !== false)
      return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    const properties = isSchema(schema.properties) ? Object.keys(schema.properties) : [];
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = properties.find((name) => !required.includes(name));
    if (missing)
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    for (const name of properties) {
      const problem = strictSchemaProblem((schema.properties as Schema)[name], [...context, 'properties', name]);
      if (problem) return problem;
    }
  }
  if (schema.items !== undefined) return strictSchemaProblem(schema.items, [...context, 'items']);
  return null;
}

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);

/** The changed stretch between a sentence and its correction, as whole words. */
function changedSpan(sentence: string, corrected: string): { original: string; corrected: string } {
  const a = words(sentence);
  const b = words(corrected);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end += 1;
  return { original: a.slice(start, a.length - end).join(' '), corrected: b.slice(start, b.length - end).join(' ') };
}

function chineseExplanation(original: string, corrected: string): string {
  if (/\bagree\b/i.test(original)) return '“agree”是动词，所以要说“I agree”，不说“I am agree”。';
  if (/don't/i.test(original)) return '主语是 he、she、it 时，要用“doesn’t”，不用“don’t”。';
  return `谈论过去发生的事情要用过去式，所以“${original}”要改成“${corrected}”。`;
}

function withFullStop(sentence: string): string {
  const trimmed = sentence.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** The grammar point of the stand-in's three rules (teacher.ts's `correct`). */
function grammarPointFor(original: string): string {
  if (/\bagree\b/i.test(original)) return 'verb-forms';
  if (/don't/i.test(original)) return 'subject-verb-agreement';
  return 'past-simple';
}

/** The correction answer for one sentence, in English or Simplified Chinese. */
export function correctionsFor(
  sentence: string,
  chinese: boolean,
): { corrections: Array<Record<string, string>>; natural: string } {
  const fix = correct(sentence);
  if (!fix) return { corrections: [], natural: withFullStop(sentence) };
  const span = changedSpan(sentence, fix.corrected);
  return {
    corrections: [
      {
        original: span.original,
        corrected: span.corrected,
        explanation: chinese ? chineseExplanation(span.original, span.corrected) : fix.explanation,
        kind: 'grammar',
        grammar_point: grammarPointFor(span.original),
      },
    ],
    natural: withFullStop(fix.corrected),
  };
}

/** The sentence under review: the client sends it as `Learner's sentence: "…"` (a JSON string). */
function learnerSentence(messages: readonly TeacherMessage[]): string | null {
  const last = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const quoted = /Learner's sentence:\s*(".*")\s*$/m.exec(last)?.[1];
  if (!quoted) return null;
  try {
    const value: unknown = JSON.parse(quoted);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

const instructionsOf = (messages: readonly TeacherMessage[]) =>
  messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => m.content)
    .join('\n');

/**
 * Decides how a chat request is answered: `not-structured` leaves it to the teacher, `refused` is
 * the 400 a server gives for a response_format it lacks, `answer` is the JSON text of the reply.
 */
export function answerStructured(
  body: Record<string, unknown>,
  messages: readonly TeacherMessage[],
  support: StructuredOutputs,
): StructuredAnswer {
  const format = isSchema(body.response_format) ? body.response_format : undefined;
  const type = format?.type;
  const instructions = instructionsOf(messages);
  const everything = messages.map((m) => m.content).join('\n');
  if (type === 'json_schema' && support !== 'json_schema')
    return invalid('This response_format type is unavailable now');
  if (type === 'json_object' && support === 'none') return invalid('This response_format type is unavailable now');

  let asksForCorrections = false;
  let asksForFacts = false;
  if (type === 'json_schema') {
    const spec = isSchema(format?.json_schema) ? format.json_schema : {};
    if (spec.strict === true) {
      const problem = strictSchemaProblem(spec.schema);
      if (problem)
        return invalid(
          `Invalid schema for response_format '${String(spec.name)}': ${problem}`,
          'response_format',
          'invalid_json_schema',
        );
    }
    asksForCorrections =
      isSchema(spec.schema) && isSchema(spec.schema.properties) && 'corrections' in spec.schema.properties;
    asksForFacts = isSchema(spec.schema) && isSchema(spec.schema.properties) && 'facts' in spec.schema.properties;
  } else {
    if (type === 'json_object' && !/json/i.test(everything)) {
      return invalid(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
      );
    }
    asksForCorrections = /"corrections"/.test(instructions) && /json/i.test(instructions);
    asksForFacts = /"facts"/.test(instructions) && /json/i.test(instructions);
  }
  if (asksForFacts) {
    const facts = answerFacts(messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
    if (facts) {
      const answer = JSON.stringify(facts);
      return { kind: 'answer', content: type === undefined ? `Here is what I found:\n${answer}` : answer };
    }
  }
  if (!asksForCorrections) return { kind: 'not-structured' };

  const sentence = learnerSentence(messages);
  if (sentence === null) return { kind: 'not-structured' };
  const answer = JSON.stringify(correctionsFor(sentence, instructions.includes('简体中文')));
  // A model given only instructions tends to wrap its JSON in prose and a code fence.
  return {
    kind: 'answer',
    content: type === undefined ? `Here are the corrections:\n\`\`\`json\n${answer}\n\`\`\`` : answer,
  };
}
