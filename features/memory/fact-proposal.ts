import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ResponseFormatJSONSchema } from 'openai/resources';
import { ApiProblem, describeApiError, withRetry } from '../../core/api-errors';
import { PROFILE_FACT_KINDS } from '../../core/db/schema';
import { extractJson, STRUCTURED_MODES, type StructuredMode } from '../corrections/correction-schema';
import { refusesResponseFormat, type ChatEndpoint } from '../corrections/corrections';
import type { StructuredSupportMemory } from '../corrections/structured-support';
import { cleanFactText, isFactKind, type NewFact } from './profile';

/**
 * At the end of a conversation, one small structured request proposes facts worth remembering from
 * the learner's own messages (never the teacher's: the teacher's questions are not facts about the
 * learner). The same fallbacks as the corrections: json_schema (strict), json_object with the schema
 * in the instructions, plain instructions; and the same per-server memory of what worked. Nothing
 * proposed is kept until the learner sees it and keeps it (features/memory/ProposalCard.tsx).
 */

export const FACTS_SCHEMA_NAME = 'learner_facts';
export const MAX_PROPOSED_FACTS = 5;
/** The newest learner messages sent: enough for a conversation's facts, bounded in cost. */
export const MAX_MESSAGES = 40;
export const MAX_MESSAGE_CHARS = 6000;

export const FACTS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['facts'],
  properties: {
    facts: {
      type: 'array',
      description: 'Facts the learner said about themselves that are worth remembering; empty when there are none.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'text'],
        properties: {
          kind: { type: 'string', enum: [...PROFILE_FACT_KINDS] },
          text: {
            type: 'string',
            description: 'The fact in a short English phrase, e.g. "Has a driving test next Monday".',
          },
        },
      },
    },
  },
} as const;

export const FACTS_FORMAT: ResponseFormatJSONSchema = {
  type: 'json_schema',
  json_schema: {
    name: FACTS_SCHEMA_NAME,
    description: 'Facts an English learner shared about themselves in a conversation.',
    strict: true,
    schema: FACTS_SCHEMA as unknown as Record<string, unknown>,
  },
};

export interface FactsInput {
  /** What the learner said in the conversation, oldest first. */
  learnerMessages: readonly string[];
  /** Facts already remembered, so they are not proposed again. */
  known: readonly string[];
}

export function factsInstructions(): string {
  return [
    'You help an English teacher remember a learner between conversations. Below is what the learner said in one conversation.',
    `Return "facts": at most ${MAX_PROPOSED_FACTS} facts the learner said about themselves that would help a teacher in a later conversation.`,
    '- "kind" is name (what they like to be called), job (their work or studies), interests (hobbies, things they like), goal (why they learn English, what they aim for) or event (something coming up, with when).',
    '- "text" is one short phrase in English, written about the learner without "I", e.g. "Works as a nurse", "Has a driving test next Monday".',
    'Only what the learner clearly said about themselves. Leave out health, religion, politics, money, exact addresses and other people’s private details, and anything in the list of facts already known.',
    'If there is nothing worth remembering, return an empty "facts" array.',
  ].join('\n');
}

const EXAMPLE = { facts: [{ kind: 'event', text: 'Has a driving test next Monday' }] };

function formatInstructions(mode: StructuredMode): string {
  if (mode === 'json_object')
    return `Answer with one JSON object that matches this JSON Schema:\n${JSON.stringify(FACTS_SCHEMA)}`;
  if (mode === 'plain')
    return `Answer with only a JSON object, without any other text or code fence, shaped like this example:\n${JSON.stringify(EXAMPLE)}\nIt must match this JSON Schema:\n${JSON.stringify(FACTS_SCHEMA)}`;
  return 'Answer in JSON.';
}

/** The newest messages that fit MAX_MESSAGE_CHARS, oldest first. */
export function recentLearnerMessages(messages: readonly string[]): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const message of [...messages].reverse().slice(0, MAX_MESSAGES)) {
    const text = message.trim();
    if (!text) continue;
    if (chars + text.length > MAX_MESSAGE_CHARS) break;
    kept.unshift(text);
    chars += text.length;
  }
  return kept;
}

export function factsUserMessage(input: FactsInput): string {
  const lines = [`Learner's messages: ${JSON.stringify(recentLearnerMessages(input.learnerMessages))}`];
  if (input.known.length > 0) lines.push(`Facts already known: ${JSON.stringify(input.known)}`);
  return lines.join('\n');
}

export function buildFactsRequest(
  mode: StructuredMode,
  input: FactsInput,
  model: string,
): ChatCompletionCreateParamsNonStreaming {
  return {
    model,
    messages: [
      { role: 'system', content: `${factsInstructions()}\n\n${formatInstructions(mode)}` },
      { role: 'user', content: factsUserMessage(input) },
    ],
    ...(mode === 'json_schema' ? { response_format: FACTS_FORMAT } : {}),
    ...(mode === 'json_object' ? { response_format: { type: 'json_object' as const } } : {}),
  };
}

export type FactsParse = { ok: true; facts: NewFact[] } | { ok: false; problem: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * By hand, as the corrections (an extension page's CSP forbids Ajv's generated code). A fact of an
 * unknown kind or without text is left out rather than failing the others; known facts and
 * repeats are left out too.
 */
export function parseFacts(content: string | null | undefined, known: readonly string[] = []): FactsParse {
  if (!content?.trim()) return { ok: false, problem: 'the answer was empty' };
  let value: unknown;
  try {
    value = extractJson(content);
  } catch (error) {
    return { ok: false, problem: `the answer is not JSON (${(error as Error).message})` };
  }
  if (!isRecord(value) || !Array.isArray(value.facts))
    return { ok: false, problem: '"facts" is missing or not an array' };
  const seen = new Set(known.map((text) => text.toLowerCase()));
  const facts: NewFact[] = [];
  for (const item of value.facts) {
    if (!isRecord(item) || !isFactKind(item.kind) || typeof item.text !== 'string') continue;
    const text = cleanFactText(item.text);
    if (!text || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    facts.push({ kind: item.kind, text });
  }
  return { ok: true, facts: facts.slice(0, MAX_PROPOSED_FACTS) };
}

export type FactsOutcome = { ok: true; facts: NewFact[]; mode: StructuredMode } | { ok: false; problem: string };

export interface FactsOptions {
  signal?: AbortSignal;
  support?: StructuredSupportMemory;
  fetch?: typeof fetch;
}

/** Never throws: a failed proposal only means nothing is proposed this time. */
export async function proposeFacts(
  endpoint: ChatEndpoint,
  input: FactsInput,
  options: FactsOptions = {},
): Promise<FactsOutcome> {
  if (recentLearnerMessages(input.learnerMessages).length === 0) return { ok: true, facts: [], mode: 'json_schema' };
  if (!endpoint.apiKey.trim()) return { ok: false, problem: 'no API key' };
  try {
    const support = options.support ?? (await import('../corrections/structured-support')).structuredSupport;
    const known = await support.get(endpoint.baseUrl).catch(() => undefined);
    const client = new OpenAI({
      apiKey: endpoint.apiKey.trim(),
      baseURL: endpoint.baseUrl,
      dangerouslyAllowBrowser: true,
      maxRetries: 0,
      timeout: 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    let problem = 'the server refused every response format';
    for (const mode of STRUCTURED_MODES.slice(STRUCTURED_MODES.indexOf(known ?? 'json_schema'))) {
      let raw: unknown;
      try {
        const completion = await withRetry(
          () =>
            client.chat.completions.create(buildFactsRequest(mode, input, endpoint.model), { signal: options.signal }),
          (error) => {
            raw = error;
            return describeApiError(error, endpoint.baseUrl, endpoint.model);
          },
          { signal: options.signal, attempts: 2 },
        );
        const parsed = parseFacts(completion.choices[0]?.message?.content, input.known);
        if (!parsed.ok) {
          problem = parsed.problem;
          continue;
        }
        if (mode !== known) await support.remember(endpoint.baseUrl, mode).catch(() => undefined);
        return { ok: true, facts: parsed.facts, mode };
      } catch (error) {
        if (refusesResponseFormat(raw) && mode !== 'plain') continue;
        return { ok: false, problem: error instanceof ApiProblem ? error.message : String(error) };
      }
    }
    return { ok: false, problem };
  } catch (error) {
    return { ok: false, problem: String(error) };
  }
}
