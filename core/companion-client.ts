import { t } from './i18n';
import type { CompanionTarget } from './messages';

/**
 * The one client of the learner's companion voice server: the recording document asks it for each
 * sentence of the teacher's voice, and Test connection asks whether it is there and ready. Both
 * reach it the same way — its address without trailing slashes, its token as a bearer token — so a
 * companion that Test connection finds is one the teacher's voice can use.
 */

/** The companion server could not be reached at all (not running, wrong port, blocked). */
export class CompanionUnreachableError extends Error {
  override name = 'CompanionUnreachableError';
}

/** How long Test connection waits for the companion's health check. */
const HEALTH_TIMEOUT_MS = 5_000;

// Called through a wrapper, so a fetch replaced after this module loaded (tests) is the one used.
const globalFetch: typeof fetch = (input, init) => fetch(input, init);

function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function authorization(token: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Asks the companion's OpenAI-compatible speech endpoint for one sentence as WAV. A fetch that
 * fails outright (connection refused) becomes CompanionUnreachableError, so the panel can fall
 * back to the browser's own voice and say how to start the companion.
 */
export async function fetchSpeech(
  companion: CompanionTarget,
  text: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch = globalFetch,
): Promise<ArrayBuffer> {
  const base = baseUrl(companion.url);
  const body: Record<string, string | number> = { model: 'tts-1', input: text, response_format: 'wav' };
  if (companion.voice) body.voice = companion.voice;
  if (Number.isFinite(companion.speed) && companion.speed > 0) body.speed = companion.speed;
  let response: Response;
  try {
    response = await fetchImpl(`${base}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authorization(companion.token) },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new CompanionUnreachableError(`The voice server at ${base} cannot be reached.`, { cause: error });
  }
  if (!response.ok) {
    const detail = await response.text().catch(() => '');
    throw new Error(
      t('banner.voiceServerStatus', { status: response.status, detail: errorMessage(detail) || response.statusText }),
    );
  }
  return response.arrayBuffer();
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // Not JSON: show the start of the text itself.
  }
  return body.slice(0, 200);
}

/** What Test connection says of the companion, in the learner's words. */
export interface CompanionCheck {
  ok: boolean;
  message: string;
}

/** Test connection's question: is the companion there, does it let this extension in, is its voice loaded? */
export async function testCompanion(
  url: string,
  token: string,
  fetchImpl: typeof fetch = globalFetch,
): Promise<CompanionCheck> {
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl(url)}/health`, {
      headers: authorization(token),
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
  } catch {
    return { ok: false, message: t('connection.companionDown', { url }) };
  }
  if (response.status === 401) {
    return { ok: false, message: t('connection.companionWantsToken') };
  }
  if (response.status === 403) {
    return {
      ok: false,
      message: t('connection.companionRefused', { id: globalThis.chrome?.runtime?.id ?? 'THIS_EXTENSION_ID' }),
    };
  }
  const health = (await response.json().catch(() => null)) as {
    engine?: string;
    ready?: boolean;
    status?: string;
  } | null;
  if (!response.ok || !health || typeof health.engine !== 'string') {
    return { ok: false, message: t('connection.notCompanion', { url }) };
  }
  if (!health.ready) {
    return { ok: true, message: t('connection.companionLoading', { engine: health.engine }) };
  }
  return { ok: true, message: t('connection.companionReady', { engine: health.engine }) };
}
