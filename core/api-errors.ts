import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { t } from './i18n';
import { isLoopback } from '../common/loopback';

/**
 * Every way a request to the learner's API server can fail, with what to tell them and whether
 * trying again on our own can help. The SDK's own retries are off (maxRetries: 0): it would
 * retry an exhausted quota, and its retries would add latency after a barge-in abort.
 */
export type ApiProblemKind =
  | 'no-key'
  | 'key-rejected'
  | 'quota-exhausted'
  | 'rate-limited'
  | 'server-error'
  | 'network'
  | 'not-openai-compatible'
  | 'model-not-found'
  | 'no-transcription'
  | 'no-chat'
  | 'too-large'
  | 'bad-request'
  | 'aborted';

export class ApiProblem extends Error {
  constructor(
    readonly kind: ApiProblemKind,
    message: string,
    /** Seconds the server asked us to wait (rate limits). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }

  /** Worth retrying automatically, with backoff. Quota and key problems never are. */
  get transient(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'server-error';
  }

  /** Something in Settings is wrong (key, address, model, a missing server): offer to open them. */
  get settingsCanFix(): boolean {
    return SETTINGS_KINDS.includes(this.kind);
  }
}

const SETTINGS_KINDS: readonly ApiProblemKind[] = [
  'no-key',
  'key-rejected',
  'not-openai-compatible',
  'model-not-found',
  'no-transcription',
  'no-chat',
];

/**
 * Which request failed, so the message can name the right setting: the chat server is "API base
 * URL" and "API key"; a separate transcription server has its own two fields.
 */
export interface RequestContext {
  role?: 'chat' | 'transcription';
  /** The transcription goes to its own server (Transcription server URL), not the API base URL. */
  separateServer?: boolean;
  /** No key was typed for this server (allowed on this machine only). */
  keyless?: boolean;
}

/** Read when shown, so it is in the interface language of that moment. */
export function noKeyMessage(): string {
  return t('apiError.noKey');
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/**
 * Providers other than OpenAI say "out of credit" in their own ways: DeepSeek and OpenRouter
 * answer 402, others 403 or 400 with their own code and wording.
 */
const QUOTA_WORDS =
  /insufficient[_ ](quota|balance|credit|funds)|quota (exceeded|exhausted)|balance is insufficient|out of credit|余额不足/i;

function isQuotaError(error: APIError): boolean {
  if (error.status === 402) return true;
  if (error.code === 'insufficient_quota' || error.type === 'insufficient_quota') return true;
  const body = error.error as { message?: unknown } | undefined;
  return QUOTA_WORDS.test(`${error.message} ${typeof body?.message === 'string' ? body.message : ''}`);
}

function quotaProblem(host: string): ApiProblem {
  return new ApiProblem('quota-exhausted', t('apiError.quota', { host }));
}

function keyRejected(host: string, context: RequestContext): ApiProblem {
  if (context.keyless) {
    return new ApiProblem(
      'key-rejected',
      context.separateServer ? t('apiError.transcriptionKeyWanted', { host }) : t('apiError.keyWanted', { host }),
    );
  }
  return new ApiProblem(
    'key-rejected',
    context.separateServer ? t('apiError.transcriptionKeyRejected', { host }) : t('apiError.keyRejected', { host }),
  );
}

/** A 404 on the path itself: the server lacks the endpoint (or the base URL is wrong). */
export function missingEndpoint(baseUrl: string, context: RequestContext): ApiProblem {
  const host = hostOf(baseUrl);
  if (context.role === 'transcription' && !context.separateServer) {
    return new ApiProblem('no-transcription', t('apiError.noTranscription', { host }));
  }
  if (context.role === 'transcription') {
    return new ApiProblem('no-transcription', t('apiError.transcriptionServerMissing', { host }));
  }
  if (context.role === 'chat') {
    return new ApiProblem('no-chat', t('apiError.noChat', { host }));
  }
  return notCompatible(baseUrl);
}

/** Turns anything a request threw into an ApiProblem whose message says what to do next. */
export function describeApiError(
  error: unknown,
  baseUrl: string,
  model?: string,
  context: RequestContext = {},
): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const host = hostOf(baseUrl);
  if (error instanceof APIUserAbortError || (error instanceof DOMException && error.name === 'AbortError')) {
    return new ApiProblem('aborted', t('apiError.cancelled'));
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ApiProblem('network', t('apiError.timeout', { host }));
  }
  if (error instanceof APIConnectionError) {
    // A server on this computer that does not answer is not running: the internet has nothing to do with it.
    if (isLoopback(baseUrl)) return new ApiProblem('network', t('apiError.unreachableHere', { host }));
    return new ApiProblem('network', t('apiError.unreachable', { host }));
  }
  if (error instanceof AuthenticationError) return keyRejected(host, context);
  if (error instanceof APIError && isQuotaError(error)) return quotaProblem(host);
  if (error instanceof RateLimitError) {
    return new ApiProblem('rate-limited', t('apiError.rateLimited', { host }), retryAfter(error.headers));
  }
  if (error instanceof NotFoundError) {
    if (error.code === 'model_not_found' || /model/i.test(error.message)) {
      return new ApiProblem('model-not-found', t('apiError.modelNotFound', { host, model: model ?? '?' }));
    }
    return missingEndpoint(baseUrl, context);
  }
  // An error object sent inside a 200 stream: the SDK throws it without a status.
  if (error instanceof APIError && error.status === undefined && error.error && typeof error.error === 'object') {
    return new ApiProblem('server-error', t('apiError.streamError', { host, detail: error.message }));
  }
  // 405: the path exists for another method only, which for our POSTs means "no such endpoint".
  if (error instanceof APIError && error.status === 405) return missingEndpoint(baseUrl, context);
  if (error instanceof APIError && typeof error.status === 'number') {
    if (error.status === 413) {
      return new ApiProblem('too-large', t('apiError.tooLarge', { host }));
    }
    if (error.status >= 500) {
      return new ApiProblem(
        'server-error',
        t('apiError.serverError', { host, status: error.status }),
        retryAfter(error.headers),
      );
    }
    if (!error.error || typeof error.error !== 'object') return notCompatible(baseUrl);
    return new ApiProblem('bad-request', t('apiError.refused', { host, status: error.status, detail: error.message }));
  }
  if (error instanceof SyntaxError) return notCompatible(baseUrl);
  return new ApiProblem('network', t('apiError.unknown', { host, detail: String(error) }));
}

export function notCompatible(baseUrl: string): ApiProblem {
  return new ApiProblem('not-openai-compatible', t('apiError.notCompatible', { url: baseUrl }));
}

export interface RetryOptions {
  signal?: AbortSignal;
  attempts?: number;
  baseDelayMs?: number;
  /** Told before each wait, so the panel can say it is retrying. */
  onRetry?(problem: ApiProblem, attempt: number, delayMs: number): void;
}

/**
 * Runs `request`, retrying rate limits and server errors with exponential backoff (honouring
 * Retry-After), and nothing else: a rejected key or an exhausted quota fails at once.
 */
export async function withRetry<T>(
  request: () => Promise<T>,
  describe: (error: unknown) => ApiProblem,
  { signal, attempts = 4, baseDelayMs = 500, onRetry }: RetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const problem = describe(error);
      if (!problem.transient || attempt >= attempts || signal?.aborted) throw problem;
      const delayMs = Math.min(
        8_000,
        problem.retryAfterSeconds !== undefined ? problem.retryAfterSeconds * 1000 : baseDelayMs * 2 ** (attempt - 1),
      );
      onRetry?.(problem, attempt, delayMs);
      await sleep(delayMs, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new ApiProblem('aborted', t('apiError.cancelled')));
      },
      { once: true },
    );
  });
}
