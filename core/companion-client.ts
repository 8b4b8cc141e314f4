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

/** What the companion said to a GET: nothing (not reachable), a refusal of this extension, or an answer. */
type CompanionReply =
  | { kind: 'unreachable' }
  | { kind: 'refused'; message: string }
  | { kind: 'answered'; response: Response; body: Record<string, unknown> | null };

/**
 * GETs /health or /voices the way every check does: the same address, token and timeout, and the same words for
 * a companion that wants a token (401) or does not let this extension in (403). The body is null when not JSON.
 */
async function askCompanion(
  url: string,
  token: string,
  route: '/health' | '/voices',
  fetchImpl: typeof fetch,
): Promise<CompanionReply> {
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl(url)}${route}`, {
      headers: authorization(token),
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
  } catch {
    return { kind: 'unreachable' };
  }
  if (response.status === 401) return { kind: 'refused', message: t('connection.companionWantsToken') };
  if (response.status === 403) {
    return {
      kind: 'refused',
      message: t('connection.companionRefused', { id: globalThis.chrome?.runtime?.id ?? 'THIS_EXTENSION_ID' }),
    };
  }
  const body = (await response.json().catch(() => null)) as unknown;
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null;
  return { kind: 'answered', response, body: record };
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
  const reply = await askCompanion(url, token, '/health', fetchImpl);
  if (reply.kind === 'unreachable') return { ok: false, message: t('connection.companionDown', { url }) };
  if (reply.kind === 'refused') return { ok: false, message: reply.message };
  const health = reply.body;
  if (!reply.response.ok || !health || typeof health.engine !== 'string') {
    return { ok: false, message: t('connection.notCompanion', { url }) };
  }
  if (!health.ready) {
    return { ok: true, message: t('connection.companionLoading', { engine: health.engine }) };
  }
  return { ok: true, message: t('connection.companionReady', { engine: health.engine }) };
}

export type VoiceAccent = 'American' | 'British' | 'other';

/** One voice of GET /voices, with every field the panel relies on filled in. */
export interface CompanionVoice {
  id: string;
  name: string;
  language: string;
  /** The engine that speaks it; the list's own engine when the companion does not say (companions before neural voices). */
  engine: string;
  accent: VoiceAccent;
  gender?: 'female' | 'male';
  attribution?: string;
}

export interface CompanionVoices {
  engine: string;
  /** The voice the companion speaks with when none is asked for. */
  defaultVoice: string;
  voices: CompanionVoice[];
}

/** GET /voices, in explicit states: the list, or why there is none and what to do (`message`). */
export type VoicesResult =
  | { status: 'ok'; list: CompanionVoices }
  | { status: 'unreachable' | 'refused' | 'loading' | 'error'; message: string };

/** Where a companion older than the accent field leaves it out: en-us is American, en-gb (and its regions) British. */
export function accentOf(language: string, given?: unknown): VoiceAccent {
  if (given === 'American' || given === 'British' || given === 'other') return given;
  const tag = language.toLowerCase().replaceAll('_', '-');
  if (tag === 'en-us' || tag.startsWith('en-us-')) return 'American';
  if (tag === 'en-gb' || tag.startsWith('en-gb-')) return 'British';
  return 'other';
}

function voiceOf(raw: unknown, engine: string): CompanionVoice | null {
  if (!raw || typeof raw !== 'object') return null;
  const v = raw as Record<string, unknown>;
  if (typeof v.id !== 'string' || !v.id) return null;
  const language = typeof v.language === 'string' ? v.language : '';
  return {
    id: v.id,
    name: typeof v.name === 'string' && v.name ? v.name : v.id,
    language,
    engine: typeof v.engine === 'string' && v.engine ? v.engine : engine,
    accent: accentOf(language, v.accent),
    ...(v.gender === 'female' || v.gender === 'male' ? { gender: v.gender } : {}),
    ...(typeof v.attribution === 'string' && v.attribution ? { attribution: v.attribution } : {}),
  };
}

/** The companion's voices for the Voice setting, reached the same way as the teacher's voice. */
export async function fetchVoices(
  url: string,
  token: string,
  fetchImpl: typeof fetch = globalFetch,
): Promise<VoicesResult> {
  const reply = await askCompanion(url, token, '/voices', fetchImpl);
  if (reply.kind === 'unreachable') return { status: 'unreachable', message: t('connection.companionDown', { url }) };
  if (reply.kind === 'refused') return { status: 'refused', message: reply.message };
  if (reply.response.status === 503) return { status: 'loading', message: t('voice.listLoading') };
  const body = reply.body;
  if (!reply.response.ok || !body || typeof body.engine !== 'string' || !Array.isArray(body.voices)) {
    return { status: 'error', message: t('connection.notCompanion', { url }) };
  }
  const engine = body.engine;
  const voices = body.voices.map((raw) => voiceOf(raw, engine)).filter((voice) => voice !== null);
  return {
    status: 'ok',
    list: { engine, defaultVoice: typeof body.default === 'string' ? body.default : '', voices },
  };
}

/** /health's `naturalVoice`: how far the companion's neural voice is from speaking. */
export interface NaturalVoiceStatus {
  state: 'fetching' | 'loading' | 'ready' | 'failed' | 'off';
  engine: string;
  voice: string;
  /** 0–100 while fetching, when the size is known. */
  percent: number | null;
  message: string | null;
}

const NATURAL_STATES: readonly string[] = ['fetching', 'loading', 'ready', 'failed', 'off'];

/**
 * The natural voice's state, or null when there is nothing to say: the companion cannot be reached
 * (the banner speaks of that when a reply needs it), or it is one without neural voices.
 */
export async function fetchNaturalVoice(
  url: string,
  token: string,
  fetchImpl: typeof fetch = globalFetch,
): Promise<NaturalVoiceStatus | null> {
  const reply = await askCompanion(url, token, '/health', fetchImpl);
  if (reply.kind !== 'answered' || !reply.response.ok) return null;
  const natural = part(reply.body, 'naturalVoice');
  if (!natural || typeof natural.state !== 'string' || !NATURAL_STATES.includes(natural.state)) return null;
  return {
    state: natural.state as NaturalVoiceStatus['state'],
    engine: typeof natural.engine === 'string' ? natural.engine : '',
    voice: typeof natural.voice === 'string' ? natural.voice : '',
    percent: percentOf(natural.percent),
    message: typeof natural.message === 'string' && natural.message ? natural.message : null,
  };
}

/** One object of /health, or null when the companion does not report it. */
function part(body: Record<string, unknown> | null, name: string): Record<string, unknown> | null {
  const value = body?.[name];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

/** A percentage as a whole number from 0 to 100, or null when the companion does not know it. */
function percentOf(raw: unknown): number | null {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return null;
  return Math.max(0, Math.min(100, Math.floor(raw)));
}

/**
 * /health's `stt` (a companion started with --stt): whether it can transcribe now. 'absent' is a companion
 * that does not report it (one older than transcription); 'unreachable' and 'refused' as for the voice.
 */
export interface CompanionSttStatus {
  state: 'off' | 'fetching' | 'loading' | 'ready' | 'failed' | 'absent' | 'unreachable' | 'refused' | 'not-companion';
  model: string;
  /** 0–100 while fetching, when the size is known. */
  percent: number | null;
  /** The companion's reason (failed) or step (loading); for 'refused', what to do. */
  message: string | null;
}

const STT_STATES: readonly string[] = ['off', 'fetching', 'loading', 'ready', 'failed'];

/** Asks the companion whether it transcribes, with the same address and token as its voice. */
export async function fetchCompanionStt(
  url: string,
  token: string,
  fetchImpl: typeof fetch = globalFetch,
): Promise<CompanionSttStatus> {
  const none = { model: '', percent: null, message: null };
  const reply = await askCompanion(url, token, '/health', fetchImpl);
  if (reply.kind === 'unreachable') return { state: 'unreachable', ...none };
  if (reply.kind === 'refused') return { state: 'refused', ...none, message: reply.message };
  const body = reply.body;
  if (!reply.response.ok || !body || typeof body.engine !== 'string') return { state: 'not-companion', ...none };
  const stt = part(body, 'stt');
  if (!stt || typeof stt.state !== 'string' || !STT_STATES.includes(stt.state)) return { state: 'absent', ...none };
  return {
    state: stt.state as CompanionSttStatus['state'],
    model: typeof stt.model === 'string' ? stt.model : '',
    percent: percentOf(stt.percent),
    message: typeof stt.message === 'string' && stt.message ? stt.message : null,
  };
}
