import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';

export interface GuardOptions {
  /** Extension IDs allowed as Origin besides AITalk's own (AITALK_EXTENSION_ID), lower case. */
  allowOrigins: readonly string[];
  token: string | undefined;
  /**
   * Host names accepted besides localhost, 127.0.0.1 and [::1], lower case (the --host address, and the address
   * bound). Read on every request, not copied: the bound address is known only once the server listens.
   */
  extraHosts?: readonly string[];
}

const EXTENSION_SCHEMES = new Set(['chrome-extension:', 'moz-extension:']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type';

/** The host name of a Host header ("localhost:8730" → "localhost", "[::1]:8730" → "[::1]"), or null when malformed. */
export function hostName(header: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

export function isAllowedHost(header: string | undefined, extraHosts: readonly string[] = []): boolean {
  if (!header) return false;
  const name = hostName(header);
  return name !== null && (LOOPBACK_NAMES.has(name) || extraHosts.includes(name));
}

/**
 * Web pages (http, https, file, "null") are refused, and so is every extension but AITalk and the IDs named
 * with --allow-origin: any installed extension can send requests to loopback, and a voice server that speaks
 * for all of them is a free resource for whichever one the learner did not mean to trust.
 */
export function isAllowedOrigin(origin: string, allowOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (!EXTENSION_SCHEMES.has(url.protocol)) return false;
  const id = url.hostname.toLowerCase();
  return id === AITALK_EXTENSION_ID || allowOrigins.includes(id);
}

function originId(origin: string): string {
  try {
    return new URL(origin).hostname || origin;
  } catch {
    return origin;
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refuse(error: ApiError, corsOrigin: string | null): Response {
  const response = error.toResponse();
  if (corsOrigin) applyCors(response.headers, corsOrigin);
  return response;
}

function applyCors(headers: Headers, origin: string): void {
  headers.set('Access-Control-Allow-Origin', origin);
  headers.append('Vary', 'Origin');
  headers.set('Access-Control-Expose-Headers', 'X-Cache, X-Sample-Rate, X-Stream-Pass, Retry-After');
}

/**
 * Every request passes here first. The companion listens where every web page the learner opens can reach it,
 * so it answers only requests addressed to a loopback name (a DNS-rebinding page sends its own host name),
 * refuses web-page origins outright, reflects CORS only to extension origins, answers preflights, and checks the
 * optional bearer token.
 */
export function guard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host');
    if (!isAllowedHost(host, options.extraHosts)) {
      return refuse(
        new ApiError(
          403,
          'permission_error',
          `Host "${host ?? ''}" is not allowed: the companion answers only requests addressed to localhost, 127.0.0.1 or [::1].`,
        ),
        null,
      );
    }

    const origin = c.req.header('origin');
    if (origin !== undefined && !isAllowedOrigin(origin, options.allowOrigins)) {
      return refuse(
        new ApiError(
          403,
          'permission_error',
          `Origin "${origin}" is not allowed: only the AITalk extension (${AITALK_EXTENSION_ID})${
            options.allowOrigins.length
              ? `, the IDs given with --allow-origin (${options.allowOrigins.join(', ')})`
              : ''
          } and local programs may use the companion. To let this extension in, restart the companion with ` +
            `--allow-origin ${originId(origin)}.`,
        ),
        null,
      );
    }

    if (c.req.method === 'OPTIONS') {
      const headers = new Headers({ Allow: ALLOWED_METHODS });
      if (origin) {
        applyCors(headers, origin);
        headers.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
        headers.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        headers.set('Access-Control-Max-Age', '600');
      }
      return new Response(null, { status: 204, headers });
    }

    if (options.token !== undefined && !tokenMatches(c.req.header('authorization'), options.token)) {
      return refuse(
        new ApiError(
          401,
          'authentication_error',
          'This companion needs its token: send "Authorization: Bearer <token>".',
          {
            headers: { 'WWW-Authenticate': 'Bearer' },
          },
        ),
        origin ?? null,
      );
    }

    await next();
    if (origin) applyCors(c.res.headers, origin);
  };
}
