import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  NotFoundError,
  RateLimitError,
} from 'openai';

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
}

export const NO_KEY_MESSAGE = 'Add your API key in Settings to start talking.';

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

/** Turns anything a request threw into an ApiProblem whose message says what to do next. */
export function describeApiError(error: unknown, baseUrl: string, model?: string): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const host = hostOf(baseUrl);
  if (error instanceof APIUserAbortError || (error instanceof DOMException && error.name === 'AbortError')) {
    return new ApiProblem('aborted', 'The request was cancelled.');
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ApiProblem('network', `${host} did not answer in time. Check your connection, then press Retry.`);
  }
  if (error instanceof APIConnectionError) {
    return new ApiProblem(
      'network',
      `Cannot reach ${host}. Check your internet connection and the API base URL in Settings, then press Retry.`,
    );
  }
  if (error instanceof AuthenticationError) {
    return new ApiProblem(
      'key-rejected',
      `${host} rejected your API key (401). Check the key in Settings — copy it again from your provider's dashboard.`,
    );
  }
  if (error instanceof RateLimitError) {
    if (error.code === 'insufficient_quota' || error.type === 'insufficient_quota') {
      return new ApiProblem(
        'quota-exhausted',
        'Your API account has run out of credit (insufficient_quota). Add credit or raise your limit with your provider (for OpenAI: platform.openai.com → Billing), then press Retry.',
      );
    }
    return new ApiProblem(
      'rate-limited',
      `${host} is rate limiting your key (429). Wait a moment, then press Retry.`,
      retryAfter(error.headers),
    );
  }
  if (error instanceof NotFoundError) {
    if (error.code === 'model_not_found' || /model/i.test(error.message)) {
      return new ApiProblem(
        'model-not-found',
        `${host} does not know the model "${model ?? '?'}". Choose a model it serves in Settings.`,
      );
    }
    return notCompatible(baseUrl);
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    if (error.status === 413) {
      return new ApiProblem('too-large', `${host} refused the recording as too large (413). Keep each turn shorter.`);
    }
    if (error.status >= 500) {
      return new ApiProblem(
        'server-error',
        `${host} had a problem on its side (${error.status}). Press Retry in a moment.`,
        retryAfter(error.headers),
      );
    }
    if (!error.error || typeof error.error !== 'object') return notCompatible(baseUrl);
    return new ApiProblem('bad-request', `${host} refused the request (${error.status}): ${error.message}`);
  }
  if (error instanceof SyntaxError) return notCompatible(baseUrl);
  return new ApiProblem('network', `Something went wrong talking to ${host}: ${String(error)}. Press Retry.`);
}

export function notCompatible(baseUrl: string): ApiProblem {
  return new ApiProblem(
    'not-openai-compatible',
    `${baseUrl} does not answer like an OpenAI-compatible API. Check the API base URL in Settings (it usually ends in /v1).`,
  );
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
        reject(new ApiProblem('aborted', 'The request was cancelled.'));
      },
      { once: true },
    );
  });
}
