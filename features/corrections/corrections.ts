import OpenAI, { APIError } from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/core/error';
import { makeParseableResponseFormat } from 'openai/lib/parser';
import { ApiProblem, describeApiError, withRetry } from '../../core/api-errors';
import {
  buildCorrectionsRequest,
  JSON_SCHEMA_FORMAT,
  parseAnswer,
  STRUCTURED_MODES,
  type CorrectionsInput,
  type ParseResult,
  type SentenceCheck,
  type StructuredMode,
} from './correction-schema';
import type { StructuredSupportMemory } from './structured-support';
import { t } from '../../core/i18n';

/**
 * The corrections lane of a learner turn: one structured request about the sentence, beside the
 * spoken reply. It never throws into the turn: every outcome is a value the card can show.
 */

export interface ChatEndpoint {
  apiKey: string;
  baseUrl: string;
  model: string;
}

export type CorrectionsFailureKind = 'aborted' | 'request-failed' | 'invalid-answer' | 'refused';

export interface CorrectionsFailure {
  kind: CorrectionsFailureKind;
  /** For the card: what went wrong and what to do next. */
  message: string;
  /** Whether a Retry button makes sense (a cancelled check is simply not shown). */
  canRetry: boolean;
}

export type CorrectionsOutcome =
  | { ok: true; check: SentenceCheck; mode: StructuredMode }
  | { ok: false; failure: CorrectionsFailure };

export interface CorrectionsOptions {
  signal?: AbortSignal;
  /** Defaults to storage.local (features/corrections/structured-support.ts). */
  support?: StructuredSupportMemory;
  /** Tests pass their own fetch; the extension uses the page's. */
  fetch?: typeof fetch;
  /** Attempts for rate limits and server errors (default 2: the card has Retry for the rest). */
  attempts?: number;
}

/**
 * A 400 that refuses the response_format itself (DeepSeek: "This response_format type is
 * unavailable now"; others say "not supported"), as opposed to one about the rest of the request.
 */
export function refusesResponseFormat(error: unknown): boolean {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return false;
  const param = (error as { param?: unknown }).param;
  if (param === 'response_format' || (typeof param === 'string' && param.startsWith('response_format'))) return true;
  const text = `${error.message} ${JSON.stringify(error.error ?? '')}`;
  return /response_format|json_schema|json_object|structured output/i.test(text);
}

function clientFor(endpoint: ChatEndpoint, customFetch?: typeof fetch): OpenAI {
  return new OpenAI({
    apiKey: endpoint.apiKey.trim(),
    baseURL: endpoint.baseUrl,
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
    timeout: 60_000,
    ...(customFetch ? { fetch: customFetch } : {}),
  });
}

async function ask(
  client: OpenAI,
  mode: StructuredMode,
  input: CorrectionsInput,
  model: string,
  signal?: AbortSignal,
): Promise<ParseResult> {
  const params = buildCorrectionsRequest(mode, input, model);
  if (mode === 'json_schema') {
    // The SDK's parse helper: it reports refusals and cut-off answers, and runs our validator.
    let parsed: ParseResult | undefined;
    const completion = await client.chat.completions.parse(
      {
        ...params,
        response_format: makeParseableResponseFormat(JSON_SCHEMA_FORMAT, (content) => {
          parsed = parseAnswer(content, input.sentence);
          return parsed;
        }),
      },
      { signal },
    );
    const message = completion.choices[0]?.message;
    if (message?.refusal) return { ok: false, problem: `the model declined: ${message.refusal}` };
    return parsed ?? parseAnswer(message?.content, input.sentence);
  }
  const completion = await client.chat.completions.create(params, { signal });
  return parseAnswer(completion.choices[0]?.message?.content, input.sentence);
}

export const MIN_WORDS = 2;

const failure = (kind: CorrectionsFailureKind, message: string, canRetry = true): CorrectionsOutcome => ({
  ok: false,
  failure: { kind, message, canRetry },
});

/**
 * Asks for the corrections of one sentence: json_schema first (or what this server is known to
 * accept), stepping down to json_object and then plain instructions when the server refuses the
 * format, and remembering what worked for next time.
 */
export async function requestCorrections(
  endpoint: ChatEndpoint,
  input: CorrectionsInput,
  options: CorrectionsOptions = {},
): Promise<CorrectionsOutcome> {
  try {
    return await corrections(endpoint, input, options);
  } catch (error) {
    // The lane must never break the turn, whatever goes wrong in it.
    return failure('request-failed', t('correction.failedUnexpected', { detail: String(error) }));
  }
}

async function corrections(
  endpoint: ChatEndpoint,
  input: CorrectionsInput,
  options: CorrectionsOptions,
): Promise<CorrectionsOutcome> {
  const sentence = input.sentence.trim();
  // A one-word answer ("Yes.", "Sure") has nothing worth a request.
  if (sentence.split(/\s+/).filter(Boolean).length < MIN_WORDS) {
    return { ok: true, mode: 'json_schema', check: { sentence, corrections: [], natural: sentence, dropped: 0 } };
  }
  if (!endpoint.apiKey.trim()) return failure('request-failed', t('correction.noKey'));
  // Loaded only when needed, so this module also runs outside an extension (the stand-in's contract test).
  const support = options.support ?? (await import('./structured-support')).structuredSupport;
  let known: StructuredMode | undefined;
  try {
    known = await support.get(endpoint.baseUrl);
  } catch {
    known = undefined;
  }
  const client = clientFor(endpoint, options.fetch);
  const modes = STRUCTURED_MODES.slice(STRUCTURED_MODES.indexOf(known ?? 'json_schema'));

  let unreadable: string | undefined;
  for (const mode of modes) {
    let raw: unknown;
    try {
      const result = await withRetry(
        () => ask(client, mode, { ...input, sentence }, endpoint.model, options.signal),
        (error) => {
          raw = error;
          return describeApiError(error, endpoint.baseUrl, endpoint.model);
        },
        { signal: options.signal, attempts: options.attempts ?? 2 },
      );
      if (!result.ok) {
        // Some servers accept a response_format and ignore it, and the model answers in prose: the
        // next mode spells the schema out in the instructions.
        unreadable = result.problem;
        continue;
      }
      if (mode !== known) await support.remember(endpoint.baseUrl, mode).catch(() => undefined);
      return { ok: true, check: result.check, mode };
    } catch (error) {
      if (options.signal?.aborted || (error instanceof ApiProblem && error.kind === 'aborted')) {
        return failure('aborted', t('correction.cancelled'), false);
      }
      if (raw instanceof LengthFinishReasonError) return failure('invalid-answer', t('correction.cutOff'));
      if (raw instanceof ContentFilterFinishReasonError) return failure('refused', t('correction.filtered'));
      if (refusesResponseFormat(raw) && mode !== 'plain') continue;
      const problem = error instanceof ApiProblem ? error : describeApiError(error, endpoint.baseUrl, endpoint.model);
      return failure('request-failed', problem.message);
    }
  }
  if (unreadable) return failure('invalid-answer', t('correction.unreadable', { detail: unreadable }));
  return failure('request-failed', t('correction.refusedAll'));
}
