import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** OpenAI's error body shape, so the openai SDK and the extension read our refusals like the API's own. */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'engine_loading'
  | 'queue_full'
  | 'engine_error'
  | 'timeout'
  | 'server_error';

/** An error that already knows how the HTTP layer should report it. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ApiErrorType,
    message: string,
    readonly options: {
      param?: string;
      code?: string;
      retryAfterSeconds?: number;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ApiErrorBody {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.options.param ?? null,
        code: this.options.code ?? null,
      },
    };
  }

  headers(): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.options.retryAfterSeconds !== undefined) headers['Retry-After'] = String(this.options.retryAfterSeconds);
    return headers;
  }

  toResponse(): Response {
    return Response.json(this.body(), { status: this.status, headers: this.headers() });
  }
}

export function notReady(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(503, 'engine_loading', message, { retryAfterSeconds });
}

export function queueFull(limit: number): ApiError {
  return new ApiError(503, 'queue_full', `The speech queue is full (${limit} requests waiting); try again shortly.`, {
    retryAfterSeconds: 1,
  });
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
