import { decodeWav } from '../audio.ts';
import { ApiError, isAbortError } from '../errors.ts';
import type { OpenAIVoice } from '../openai-voices.ts';
import { SentenceQueue } from './sentence-queue.ts';
import {
  single,
  type EngineState,
  type SynthesizedAudio,
  type SynthesisOptions,
  type TtsEngine,
  type Voice,
} from './types.ts';

/** OpenAI's own voices: what an upstream that does not list its voices most likely understands. */
const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];
/** Voice names forwarded to an upstream that does not list its voices: plain names only, never paths or markup. */
const SAFE_VOICE = /^[\w.+-]{1,64}$/;
const VOICE_PROBE_MS = 3000;
/** Longest upstream error text quoted back to the client. */
const ERROR_EXCERPT = 300;

export interface UpstreamEngineOptions {
  url: string;
  key: string | undefined;
  model: string;
  maxQueue: number;
  timeoutMs: number;
  /** Requests sent upstream at once. */
  concurrency?: number;
}

/** `http://host:8880`, `http://host:8880/v1` and the full route all name the same endpoint. */
export function upstreamEndpoints(base: string): { speech: string; voices: string } {
  const trimmed = base.replace(/\/+$/, '').replace(/\/audio\/speech$/, '');
  const v1 = /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
  return { speech: `${v1}/audio/speech`, voices: `${v1}/audio/voices` };
}

/**
 * Forwards each sentence to another OpenAI-compatible speech server (Coqui's tts-server, Kokoro-FastAPI,
 * openedai-speech, LocalAI, OpenAI). It asks for WAV so the companion can re-encode, cache and stream it the
 * same way as its own engines' audio.
 */
export class UpstreamEngine implements TtsEngine {
  readonly name = 'upstream' as const;
  readonly device = 'n/a' as const;
  readonly model: string;
  readonly started = Promise.resolve();
  readonly ready: Promise<void>;
  private readonly endpoints: { speech: string; voices: string };
  private readonly jobs: SentenceQueue;
  private voiceList: Voice[] = OPENAI_VOICES.map((id) => ({ id, name: id, language: 'en' }));
  /** True when the upstream told us its voices; otherwise any plain voice name is passed through. */
  private listed = false;
  private state: EngineState = {
    state: 'loading',
    message: 'asking the upstream server for its voices',
    retryAfterSeconds: 1,
  };
  private readonly shutdown = new AbortController();

  constructor(private readonly options: UpstreamEngineOptions) {
    this.model = options.model;
    this.endpoints = upstreamEndpoints(options.url);
    this.jobs = new SentenceQueue(options.concurrency ?? 4, options.maxQueue);
    this.ready = this.probeVoices().finally(() => {
      this.state = { state: 'ready' };
    });
  }

  status(): EngineState {
    return this.state;
  }

  voices(): Voice[] {
    return this.state.state === 'ready' ? this.voiceList : [];
  }

  defaultVoice(): string {
    return this.voiceList[0]?.id ?? 'alloy';
  }

  acceptsVoice(voice: string): boolean {
    return this.listed ? this.voiceList.some((candidate) => candidate.id === voice) : SAFE_VOICE.test(voice);
  }

  /** An OpenAI-compatible upstream usually has OpenAI's names itself; one that lists other voices gets its first. */
  voiceForOpenAI(voice: OpenAIVoice): string {
    return this.acceptsVoice(voice) ? voice : this.defaultVoice();
  }

  queue(): ReturnType<SentenceQueue['stats']> {
    return this.jobs.stats();
  }

  async synthesize(
    text: string,
    voice: string,
    options: SynthesisOptions,
    signal: AbortSignal,
  ): Promise<SynthesizedAudio> {
    const wav = await this.jobs.speak(() => this.fetchWav(text, voice, options.speed, signal), options, signal);
    let decoded;
    try {
      decoded = decodeWav(wav);
    } catch (error) {
      throw new ApiError(
        502,
        'engine_error',
        `The upstream server's audio could not be read: ${(error as Error).message}`,
      );
    }
    return { sampleRate: decoded.sampleRate, chunks: single(decoded.pcm) };
  }

  async close(): Promise<void> {
    this.shutdown.abort();
    this.jobs.shutDown();
  }

  private headers(): Record<string, string> {
    return this.options.key ? { Authorization: `Bearer ${this.options.key}` } : {};
  }

  private async fetchWav(text: string, voice: string, speed: number, signal: AbortSignal): Promise<Buffer> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = AbortSignal.any([signal, timeout, this.shutdown.signal]);
    let response: Response;
    try {
      response = await fetch(this.endpoints.speech, {
        method: 'POST',
        headers: { ...this.headers(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: this.model, input: text, voice, response_format: 'wav', speed }),
        signal: combined,
      });
      if (!response.ok) {
        const detail = await response.text().catch(() => '');
        throw new ApiError(
          502,
          'engine_error',
          `The upstream server answered ${response.status}: ${upstreamMessage(detail)}`,
          {
            code: `upstream_${response.status}`,
          },
        );
      }
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (timeout.aborted) {
        throw new ApiError(504, 'timeout', `The upstream server took longer than ${this.options.timeoutMs / 1000} s`);
      }
      if (signal.aborted || isAbortError(error)) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new ApiError(
        502,
        'engine_error',
        `The upstream server ${this.endpoints.speech} could not be reached${cause}`,
      );
    }
  }

  private async probeVoices(): Promise<void> {
    try {
      const response = await fetch(this.endpoints.voices, {
        headers: this.headers(),
        signal: AbortSignal.any([AbortSignal.timeout(VOICE_PROBE_MS), this.shutdown.signal]),
      });
      if (!response.ok) return;
      const ids = voiceIds(await response.json());
      if (ids.length === 0) return;
      this.voiceList = ids.map((id) => ({ id, name: id, language: 'en' }));
      this.listed = true;
    } catch {
      // Most servers (OpenAI included) have no voice list; the OpenAI names and pass-through cover them.
    }
  }
}

function voiceIds(body: unknown): string[] {
  const list = Array.isArray(body) ? body : (body as { voices?: unknown } | null)?.voices;
  if (!Array.isArray(list)) return [];
  const ids: string[] = [];
  for (const entry of list) {
    const id =
      typeof entry === 'string'
        ? entry
        : typeof entry === 'object' && entry !== null
          ? ((entry as Record<string, unknown>).id ?? (entry as Record<string, unknown>).name)
          : undefined;
    if (typeof id === 'string' && SAFE_VOICE.test(id)) ids.push(id);
  }
  return ids;
}

function upstreamMessage(detail: string): string {
  try {
    const parsed = JSON.parse(detail) as {
      error?: { message?: unknown } | string;
      detail?: unknown;
      message?: unknown;
    };
    const message =
      typeof parsed.error === 'string'
        ? parsed.error
        : (parsed.error?.message ?? parsed.message ?? (typeof parsed.detail === 'string' ? parsed.detail : undefined));
    if (typeof message === 'string') return message.slice(0, ERROR_EXCERPT);
  } catch {
    // Not JSON: quote the text itself.
  }
  return detail.trim().slice(0, ERROR_EXCERPT) || '(no details)';
}
