import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { ApiProblem, describeApiError, withRetry } from './api-errors';

const BASE = 'https://api.example.com/v1';
const headers = (entries: Record<string, string> = {}) => new Headers(entries);

function rateLimit(code: string, extra: Record<string, string> = {}) {
  return new RateLimitError(429, { message: 'limit', type: code, code }, 'limit', headers(extra));
}

describe('describeApiError tells the learner what to do next', () => {
  it('says a rejected key is a key problem, pointing at Settings', () => {
    const problem = describeApiError(
      new AuthenticationError(401, { message: 'bad key', code: 'invalid_api_key' }, 'bad key', headers()),
      BASE,
    );
    expect(problem.kind).toBe('key-rejected');
    expect(problem.message).toMatch(/rejected your API key/);
    expect(problem.message).toMatch(/Settings/);
    expect(problem.transient).toBe(false);
  });

  it('says an exhausted quota is about credit, and never retries it', () => {
    const problem = describeApiError(rateLimit('insufficient_quota'), BASE);
    expect(problem.kind).toBe('quota-exhausted');
    expect(problem.message).toMatch(/run out of credit/);
    expect(problem.transient).toBe(false);
  });

  it('treats a plain 429 as a rate limit worth retrying, with the server’s Retry-After', () => {
    const problem = describeApiError(rateLimit('rate_limit_exceeded', { 'retry-after': '2' }), BASE);
    expect(problem.kind).toBe('rate-limited');
    expect(problem.transient).toBe(true);
    expect(problem.retryAfterSeconds).toBe(2);
  });

  it('names the host that cannot be reached', () => {
    const problem = describeApiError(new APIConnectionError({ message: 'fetch failed' }), BASE);
    expect(problem.kind).toBe('network');
    expect(problem.message).toContain('api.example.com');
  });

  it('says a server on this computer is not running, not that the internet is down', () => {
    const local = describeApiError(new APIConnectionError({ message: 'fetch failed' }), 'http://localhost:11434/v1');
    expect(local.kind).toBe('network');
    expect(local.message).toContain('Nothing answers at localhost:11434 on this computer');
    expect(local.message).not.toContain('internet');
    const remote = describeApiError(new APIConnectionError({ message: 'fetch failed' }), BASE);
    expect(remote.message).toContain('internet');
  });

  it('calls a 404 without an OpenAI error body a wrong base URL', () => {
    const problem = describeApiError(new NotFoundError(404, undefined, 'Not Found', headers()), BASE);
    expect(problem.kind).toBe('not-openai-compatible');
    expect(problem.message).toContain('/v1');
  });

  it('calls an unknown model a model problem', () => {
    const error = new NotFoundError(
      404,
      { message: 'The model `gpt-x` does not exist', code: 'model_not_found' },
      'The model `gpt-x` does not exist',
      headers(),
    );
    expect(describeApiError(error, BASE, 'gpt-x').message).toContain('"gpt-x"');
  });

  it('reports server errors with their status, as transient', () => {
    const problem = describeApiError(
      new InternalServerError(503, { message: 'overloaded' }, 'overloaded', headers()),
      BASE,
    );
    expect(problem.kind).toBe('server-error');
    expect(problem.message).toContain('503');
    expect(problem.transient).toBe(true);
  });
});

describe('differences between providers', () => {
  it('an empty account is named as such whatever the status and code', () => {
    const deepseek = APIError.generate(
      402,
      { error: { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' } },
      undefined,
      headers(),
    );
    const envelope = new PermissionDeniedError(
      403,
      { message: 'Sorry, your account balance is insufficient', code: '30001' },
      undefined,
      headers(),
    );
    const typed = new BadRequestError(400, { message: 'quota', type: 'insufficient_quota' }, undefined, headers());
    for (const error of [deepseek, envelope, typed]) {
      const problem = describeApiError(error, BASE);
      expect(problem.kind).toBe('quota-exhausted');
      expect(problem.message).toContain('api.example.com has run out of credit');
      expect(problem.transient).toBe(false);
    }
  });

  it('an error object inside a stream (no status) keeps the server’s words', () => {
    const inStream = new APIError(undefined, { message: 'Internal error', type: 'server_error' }, undefined, undefined);
    const problem = describeApiError(inStream, BASE);
    expect(problem.kind).toBe('server-error');
    expect(problem.message).toBe('api.example.com stopped the reply with an error: Internal error. Press Retry.');
  });

  it('a 404 for transcription on the chat server points to the transcription server setting', () => {
    const error = new NotFoundError(404, undefined, 'Not Found', headers());
    const onChatServer = describeApiError(error, BASE, 'whisper-1', { role: 'transcription' });
    expect(onChatServer.kind).toBe('no-transcription');
    expect(onChatServer.message).toMatch(/cannot transcribe speech.*choose a Transcription server.*Retry/);
    expect(onChatServer.settingsCanFix).toBe(true);
    const notAllowed = APIError.generate(405, undefined, 'Method Not Allowed', headers());
    expect(describeApiError(notAllowed, BASE, 'whisper-1', { role: 'transcription' }).kind).toBe('no-transcription');
    const onItsOwnServer = describeApiError(error, BASE, 'whisper-1', { role: 'transcription', separateServer: true });
    expect(onItsOwnServer.message).toContain('Check the Transcription server URL');
  });

  it('a rejected or missing key names the field it came from', () => {
    const error = new AuthenticationError(401, { message: 'bad key' }, 'bad key', headers());
    expect(describeApiError(error, BASE, undefined, { role: 'transcription', separateServer: true }).message).toContain(
      '“Transcription server key”',
    );
    expect(describeApiError(error, BASE, undefined, { role: 'chat', keyless: true }).message).toMatch(
      /wants an API key.*“API key”/,
    );
  });

  it('offers Settings only for what Settings can fix', () => {
    expect(describeApiError(rateLimit('rate_limit_exceeded'), BASE).settingsCanFix).toBe(false);
    expect(describeApiError(new APIConnectionError({ message: 'x' }), BASE).settingsCanFix).toBe(false);
    expect(new ApiProblem('no-key', 'add a key').settingsCanFix).toBe(true);
  });
});

describe('withRetry', () => {
  const describeIt = (error: unknown) => describeApiError(error, BASE);

  it('retries a rate limit with backoff until it succeeds', async () => {
    const request = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(rateLimit('rate_limit_exceeded'))
      .mockRejectedValueOnce(rateLimit('rate_limit_exceeded'))
      .mockResolvedValue('ok');
    const waits: number[] = [];
    const result = await withRetry(request, describeIt, { baseDelayMs: 1, onRetry: (_p, _a, ms) => waits.push(ms) });
    expect(result).toBe('ok');
    expect(request).toHaveBeenCalledTimes(3);
    expect(waits).toEqual([1, 2]);
  });

  it('fails at once on an exhausted quota: one request, no retry', async () => {
    const request = vi.fn<() => Promise<string>>().mockRejectedValue(rateLimit('insufficient_quota'));
    await expect(withRetry(request, describeIt, { baseDelayMs: 1 })).rejects.toMatchObject({ kind: 'quota-exhausted' });
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('gives up after the last attempt with the last problem', async () => {
    const request = vi
      .fn<() => Promise<string>>()
      .mockRejectedValue(new InternalServerError(500, { message: 'boom' }, 'boom', headers()));
    await expect(withRetry(request, describeIt, { attempts: 3, baseDelayMs: 1 })).rejects.toBeInstanceOf(ApiProblem);
    expect(request).toHaveBeenCalledTimes(3);
  });

  it('stops waiting as soon as the turn is cancelled', async () => {
    const controller = new AbortController();
    const request = vi
      .fn<() => Promise<string>>()
      .mockRejectedValue(rateLimit('rate_limit_exceeded', { 'retry-after': '5' }));
    const pending = withRetry(request, describeIt, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
