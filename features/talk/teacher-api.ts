import OpenAI from 'openai';
import {
  ApiProblem,
  describeApiError,
  missingEndpoint,
  notCompatible,
  withRetry,
  type RetryOptions,
} from '../../core/api-errors';
import { t } from '../../core/i18n';
import { missingKey, type Endpoint } from '../settings/endpoints';
import { quirksForRequest, rememberQuirks } from './server-quirks';
import { ThinkingFilter } from './thinking-filter';

/** Whisper refuses uploads over 25 MB. */
export const WHISPER_MAX_BYTES = 25 * 1024 * 1024;

export type ChatTurn = { role: 'system' | 'user' | 'assistant'; content: string };

export interface TranscribedWord {
  word: string;
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
}

export interface Transcript {
  text: string;
  /** Per-word timings, when the server gives them (whisper-1 with verbose_json). */
  words?: TranscribedWord[];
  /** The recording's length as the server measured it. */
  durationS?: number;
}

/**
 * The SDK insists on a key; a server on this machine (Ollama, LM Studio, Speaches) needs none,
 * and gets this harmless placeholder instead of the learner's key for another host.
 */
const NO_KEY_PLACEHOLDER = 'no-key';

/**
 * A request's options with `onSent`, called as the request is handed to the browser: after the
 * SDK has built it (3–5 ms for an upload's form), so the moment is the real one and the panel's
 * redraw, held until then (render-gate.ts), does not run between the two.
 */
type SentRequestInit = RequestInit & { onSent?: () => void };

type FetchOptions = NonNullable<Parameters<OpenAI['chat']['completions']['create']>[1]>['fetchOptions'];

/** Per-request options for the SDK that report when the request leaves (see SentRequestInit). */
function sentHook(onSent: (() => void) | undefined): { fetchOptions?: FetchOptions } {
  // The SDK passes fetchOptions on to openAiShapedFetch as they are.
  return onSent ? { fetchOptions: { onSent } satisfies SentRequestInit as FetchOptions } : {};
}

/**
 * Some providers answer errors in their own envelope (`{"code": 30001, "message": "…"}`), which
 * the SDK cannot read and reports as "no body". Rewrapped as OpenAI's `{"error": {…}}`, their
 * message reaches the learner and the error is classified (an empty account, say).
 */
export async function openAiShapedFetch(input: RequestInfo | URL, init?: SentRequestInit): Promise<Response> {
  const { onSent, ...rest } = init ?? {};
  const sending = fetch(input, rest);
  onSent?.();
  const response = await sending;
  if (response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown; message?: unknown; code?: unknown } | null;
  if (!body || body.error !== undefined || typeof body.message !== 'string') return response;
  const error = {
    message: body.message,
    type: null,
    param: null,
    code: body.code === undefined ? null : String(body.code),
  };
  return new Response(JSON.stringify({ error }), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
// The SDK checks once per fetch function that it can send FormData: it fetches 'data:,' to learn
// which Response class the function returns, unless the function names it. Named, a panel's
// first upload skips that fetch (7–17 ms on the way to the teacher's first word, measured).
Object.assign(openAiShapedFetch, { Response });

export function createClient(endpoint: Endpoint): OpenAI {
  const problem = missingKey(endpoint);
  if (problem) throw problem;
  return new OpenAI({
    apiKey: endpoint.apiKey || NO_KEY_PLACEHOLDER,
    baseURL: endpoint.baseUrl,
    // The key is the learner's own, typed into their own browser, and sent only to its own server.
    dangerouslyAllowBrowser: true,
    // Retries are ours (core/api-errors.ts): the SDK would retry an exhausted quota.
    maxRetries: 0,
    timeout: 60_000,
    fetch: openAiShapedFetch,
  });
}

function describeFor(endpoint: Endpoint) {
  return (error: unknown) =>
    describeApiError(error, endpoint.baseUrl, endpoint.model, {
      role: endpoint.role,
      separateServer: endpoint.separateServer,
      keyless: !endpoint.apiKey,
    });
}

/** File name and type Whisper recognises; a bare Blob would be uploaded as "unknown_file". */
export function recordingFile(blob: Blob, mimeType: string): File {
  const extension = mimeType.includes('ogg')
    ? 'ogg'
    : mimeType.includes('mp4')
      ? 'm4a'
      : mimeType.includes('wav')
        ? 'wav'
        : 'webm';
  return new File([blob], `recording.${extension}`, { type: mimeType.split(';')[0] || 'audio/webm' });
}

/**
 * Word timestamps exist only with verbose_json, which Whisper models have and gpt-4o-transcribe lacks.
 * The companion names its Whisper models as faster-whisper does (tiny.en, small, large-v3).
 */
export function wantsWordTimings(model: string): boolean {
  return (
    /whisper/i.test(model) || /^(tiny|base|small|medium|large(-v\d)?|distil-[\w.-]+|turbo)(\.en)?$/i.test(model.trim())
  );
}

type TranscriptionLevel = 'verbose' | 'json' | 'bare';

/** The request body at each level of the fallback chain: full, without timestamps, file and model only. */
export function transcriptionRequest(endpoint: Endpoint, file: File, level: TranscriptionLevel) {
  const base = { file, model: endpoint.model };
  if (level === 'bare') return base;
  const options = {
    ...base,
    // English only, and no sampling: the transcript should be what was said, not a creative guess.
    language: 'en',
    temperature: 0,
    ...(endpoint.prompt ? { prompt: endpoint.prompt } : {}),
  };
  if (level === 'json') return { ...options, response_format: 'json' as const };
  return { ...options, response_format: 'verbose_json' as const, timestamp_granularities: ['word' as const] };
}

/** A 400 about the request's options (not about the audio itself): try a simpler request. */
function refusedOptions(problem: ApiProblem, error: unknown): boolean {
  if (problem.kind !== 'bad-request') return false;
  const param = (error as { param?: unknown }).param;
  const code = (error as { code?: unknown }).code;
  return param !== 'file' && code !== 'audio_too_short';
}

/** A transcription server's answer (OpenAI's json or verbose_json shape) as the panel keeps it. */
export function parseTranscript(result: unknown, endpoint: Endpoint): Transcript {
  const body = result as { text?: unknown; words?: unknown; duration?: unknown; error?: unknown } | null;
  if (!body || typeof body.text !== 'string') {
    // Some servers (LM Studio) answer an unknown endpoint with 200 and {"error": "Unexpected endpoint…"};
    // others that are not OpenAI-compatible at all answer with a web page.
    if (body && typeof body === 'object' && body.error !== undefined) {
      throw missingEndpoint(endpoint.baseUrl, { role: 'transcription', separateServer: endpoint.separateServer });
    }
    throw notCompatible(endpoint.baseUrl);
  }
  const transcript: Transcript = { text: body.text.trim() };
  if (Array.isArray(body.words)) {
    transcript.words = body.words
      .filter(
        (w): w is TranscribedWord =>
          typeof w?.word === 'string' && typeof w.start === 'number' && typeof w.end === 'number',
      )
      .map(({ word, start, end }) => ({ word: word.trim(), start, end }));
  }
  if (typeof body.duration === 'number' && Number.isFinite(body.duration)) transcript.durationS = body.duration;
  return transcript;
}

/**
 * Transcribes a recording verbatim. Asks for word timings where the model has them; a server
 * that refuses an option (verbose_json, language, prompt) is asked again more simply, and what
 * it refused is remembered for its base URL.
 */
export async function transcribe(
  endpoint: Endpoint,
  audio: Blob,
  mimeType: string,
  options: RetryOptions & { onSent?(): void } = {},
): Promise<Transcript> {
  if (audio.size > WHISPER_MAX_BYTES) {
    throw new ApiProblem('too-large', t('apiError.recordingTooLarge', { size: (audio.size / 1024 / 1024).toFixed(1) }));
  }
  const client = createClient(endpoint);
  const file = recordingFile(audio, mimeType);
  const describe = describeFor(endpoint);
  const quirks = await quirksForRequest(endpoint.baseUrl);
  const levels: TranscriptionLevel[] = quirks.noTranscriptionOptions
    ? ['bare']
    : wantsWordTimings(endpoint.model) && !quirks.noVerboseJson
      ? ['verbose', 'json', 'bare']
      : ['json', 'bare'];
  for (const [index, level] of levels.entries()) {
    let refused: unknown;
    const result = await withRetry(
      async () => {
        try {
          return await client.audio.transcriptions.create(transcriptionRequest(endpoint, file, level), {
            signal: options.signal,
            ...sentHook(options.onSent),
          });
        } catch (error) {
          refused = error;
          throw error;
        }
      },
      describe,
      options,
    ).catch((problem: unknown) => {
      if (problem instanceof ApiProblem && index < levels.length - 1 && refusedOptions(problem, refused)) return null;
      throw problem;
    });
    if (result === null) continue;
    if (level !== levels[0]) {
      await rememberQuirks(
        endpoint.baseUrl,
        level === 'bare' ? { noVerboseJson: true, noTranscriptionOptions: true } : { noVerboseJson: true },
      );
    }
    return parseTranscript(result, endpoint);
  }
  throw notCompatible(endpoint.baseUrl);
}

/**
 * Streams the teacher's reply, calling `onDelta` with each piece of text as it arrives.
 * Only the opening of the stream is retried: once text has reached the learner, a retry would
 * repeat it. What a reasoning model thinks before it answers is never spoken.
 */
export async function streamReply(
  endpoint: Endpoint,
  messages: ChatTurn[],
  onDelta: (text: string) => void,
  options: RetryOptions & { onSent?(): void } = {},
): Promise<string> {
  const client = createClient(endpoint);
  const describe = describeFor(endpoint);
  // No stream_options: some compatible servers refuse the field, and the reply needs no usage.
  const stream = await withRetry(
    () =>
      client.chat.completions.create(
        { model: endpoint.model, messages, stream: true },
        { signal: options.signal, ...sentHook(options.onSent) },
      ),
    describe,
    options,
  );
  const thinking = new ThinkingFilter();
  let text = '';
  let chunks = 0;
  const emit = (piece: string) => {
    if (!piece) return;
    text += piece;
    onDelta(piece);
  };
  try {
    for await (const chunk of stream) {
      chunks++;
      // A final chunk may carry only usage, without choices; reasoning_content is not content.
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) emit(thinking.push(delta));
    }
  } catch (error) {
    throw describe(error);
  }
  emit(thinking.flush());
  if (chunks === 0) throw notCompatible(endpoint.baseUrl);
  return text;
}
