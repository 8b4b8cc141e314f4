import type { Device, EngineName } from '../config.ts';
import type { OpenAIVoice } from '../openai-voices.ts';

export type Accent = 'American' | 'British' | 'other';
export type Gender = 'female' | 'male';

export interface Voice {
  id: string;
  name: string;
  /** BCP 47-ish tag, e.g. en-us. */
  language: string;
  /** The engine that speaks it (GET /voices lists every engine the companion has). */
  engine?: string;
  /** How the voice sounds to a learner choosing one; derived from the language where the engine does not say. */
  accent?: Accent;
  gender?: Gender;
  /** The credit the voice's licence asks for, to show wherever the voice is offered. */
  attribution?: string;
}

export type EngineState =
  | { state: 'loading'; message: string; retryAfterSeconds: number }
  | { state: 'ready' }
  | { state: 'error'; message: string };

export interface SynthesisOptions {
  /** OpenAI's speed, 0.25–4; each engine maps it as closely as it can (see README). */
  speed: number;
  /**
   * Set for the second and later sentences of a request already being answered: they are queued even when the
   * queue is full, so a response that has started is never cut short by someone else's burst.
   */
  continuation?: boolean;
}

/**
 * The audio of one piece of text: 16-bit signed little-endian mono PCM at `sampleRate`, in chunks as the
 * engine produces them (espeak and coqui yield one chunk per sentence, upstream streams).
 */
export interface SynthesizedAudio {
  sampleRate: number;
  chunks: AsyncIterable<Buffer>;
}

export type NaturalVoiceState = 'fetching' | 'loading' | 'ready' | 'failed' | 'off';

/** GET /health's `naturalVoice`: how far the neural default voice is from speaking. */
export interface NaturalVoiceStatus {
  state: NaturalVoiceState;
  engine: string;
  voice: string;
  /** Share of the download on disk while fetching, else null. */
  percent: number | null;
  /** Why it failed, or what it is doing; null when ready or off. */
  message: string | null;
}

/** The engine and voice that will actually speak a requested voice (the audio cache keys on them). */
export interface VoiceRoute {
  engine: string;
  voice: string;
}

export interface QueueStats {
  active: number;
  waiting: number;
  max: number;
}

/**
 * One speech engine. Adding an engine means one file implementing this and one line in ./index.ts.
 *
 * `synthesize` rejects with an ApiError (503 loading / queue full, 5xx engine failure, 504 timeout) or, when
 * `signal` aborts, with an AbortError; whatever it has queued or started for that call is dropped.
 */
export interface TtsEngine {
  readonly name: EngineName;
  readonly model: string;
  readonly device: Device | 'n/a';
  /**
   * Settles within moments of start-up once the engine has checked it can run at all (Python and coqui-tts
   * found); rejects with the one-line reason otherwise. `ready` may take minutes longer (model loading).
   */
  readonly started: Promise<void>;
  /** Settles when the engine is ready; rejects with the one-line reason when it never will be. */
  readonly ready: Promise<void>;
  status(): EngineState;
  /** Empty until the engine is ready. */
  voices(): Voice[];
  defaultVoice(): string;
  /** Whether `voice` may be passed to synthesize (engines with an open-ended list accept more than they list). */
  acceptsVoice(voice: string): boolean;
  /** The engine's voice that stands in for an OpenAI voice name it does not have itself (only called when ready). */
  voiceForOpenAI(voice: OpenAIVoice): string;
  /**
   * Engines that hold several engines (voices/router.ts): which one speaks `voice`, and as which of its voices;
   * null for an unknown voice. Others speak every voice they accept themselves.
   */
  route?(voice: string): VoiceRoute | null;
  /** Engines that fetch and load a neural voice in the background: how far it is (GET /health). */
  naturalVoice?(): NaturalVoiceStatus;
  queue(): QueueStats;
  synthesize(text: string, voice: string, options: SynthesisOptions, signal: AbortSignal): Promise<SynthesizedAudio>;
  /** Stops accepting work, fails what is queued, ends child processes and workers. */
  close(): Promise<void>;
}

export async function* single(chunk: Buffer): AsyncIterable<Buffer> {
  yield chunk;
}
