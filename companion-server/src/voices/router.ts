import type { Device, EngineName } from '../config.ts';
import { ApiError, errorMessage } from '../errors.ts';
import type { OpenAIVoice } from '../openai-voices.ts';
import type {
  Accent,
  EngineState,
  NaturalVoiceStatus,
  QueueStats,
  SynthesizedAudio,
  SynthesisOptions,
  TtsEngine,
  Voice,
  VoiceRoute,
} from '../engines/types.ts';
import type { NeuralEngineName, PackVoice } from './catalog.ts';
import { terminalProgress, type FetchProgress, type FetchResult } from './fetch.ts';

export type { NaturalVoiceState, NaturalVoiceStatus } from '../engines/types.ts';

/** Where the neural engine's files come from and how to build it; see ./neural.ts. */
export interface NeuralPlan {
  engine: NeuralEngineName;
  /** What /health reports as the model (the pack's or the voice file's name). */
  model: string;
  /** The voice it will speak by default once ready. */
  defaultVoice: string;
  /** The voices it will offer, known before it loads, so a learner's saved choice gets a stand-in meanwhile. */
  voices: PackVoice[];
  /** Finds the files, fetching them when needed; resolves with the model path. */
  locate(hooks: {
    onProgress: (progress: FetchProgress) => void;
    signal: AbortSignal;
  }): Promise<{ modelPath: string; fetched: FetchResult | null }>;
  create(modelPath: string): TtsEngine;
}

export interface VoiceRouterOptions {
  espeak: TtsEngine;
  /** null: eSpeak only (`--engine espeak`). */
  neural: NeuralPlan | null;
  log?: (line: string) => void;
}

/** The eSpeak voice closest to a neural voice, spoken while that voice is not ready. */
function espeakStandIn(voice: PackVoice): string {
  const base = voice.accent === 'British' ? 'en-gb' : 'en-us';
  return voice.gender === 'female' ? `${base}+f3` : base;
}

function accentOf(language: string): Accent {
  if (/^en-us(-|$)/i.test(language)) return 'American';
  if (/^en-gb(-|$)/i.test(language)) return 'British';
  return 'other';
}

/**
 * The companion's engine for `--engine piper|kokoro|espeak`: eSpeak NG speaks at once (it is ready in about a
 * second) while the neural engine's files are fetched and loaded, and the neural voice becomes the default once it
 * can speak. A neural engine that cannot be fetched or loaded leaves its reason in naturalVoice() and eSpeak keeps
 * speaking, so the companion never answers 503 for want of the natural voice.
 */
export class VoiceRouter implements TtsEngine {
  readonly name: EngineName;
  readonly model: string;
  readonly device: Device | 'n/a';
  readonly started: Promise<void>;
  readonly ready: Promise<void>;
  /** Settles when the neural voice can speak; rejects with why it never will (also kept in naturalVoice()). */
  readonly naturalReady: Promise<void>;
  private readonly espeak: TtsEngine;
  private readonly plan: NeuralPlan | null;
  private neural: TtsEngine | null = null;
  private natural: NaturalVoiceStatus;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(options: VoiceRouterOptions) {
    this.espeak = options.espeak;
    this.plan = options.neural;
    this.name = this.plan?.engine ?? this.espeak.name;
    this.model = this.plan?.model ?? this.espeak.model;
    this.device = this.plan ? 'cpu' : this.espeak.device;
    this.started = this.espeak.started;
    this.ready = this.espeak.ready;
    const log = options.log ?? ((line: string) => console.info(line));
    if (!this.plan) {
      this.natural = { state: 'off', engine: this.espeak.name, voice: '', percent: null, message: null };
      this.naturalReady = Promise.reject(new Error('no natural voice was asked for (--engine espeak)'));
    } else {
      this.natural = {
        state: 'loading',
        engine: this.plan.engine,
        voice: this.plan.defaultVoice,
        percent: null,
        message: `checking the files of ${this.plan.model}`,
      };
      this.naturalReady = this.bringUp(this.plan, log);
    }
    this.naturalReady.catch(() => {});
  }

  private async bringUp(plan: NeuralPlan, log: (line: string) => void): Promise<void> {
    const terminal = terminalProgress(plan.model, log);
    const startedAt = Date.now();
    try {
      const { modelPath, fetched } = await plan.locate({
        signal: this.abort.signal,
        onProgress: (progress) => {
          this.natural = {
            ...this.natural,
            state: 'fetching',
            percent: progress.percent,
            message: `fetching ${plan.model} (${progress.percent} %)`,
          };
          terminal.progress(progress);
        },
      });
      if (fetched && fetched.fetchedBytes > 0) terminal.done(fetched, (Date.now() - startedAt) / 1000);
      if (this.closed) throw new Error('the companion is shutting down');
      this.natural = { ...this.natural, state: 'loading', percent: null, message: `loading ${plan.model}` };
      const engine = plan.create(modelPath);
      this.neural = engine;
      await engine.ready;
      if (this.closed) throw new Error('the companion is shutting down');
      this.natural = { ...this.natural, state: 'ready', voice: engine.defaultVoice(), message: null };
      log(`AITalk companion: the natural voice ${engine.defaultVoice()} (${plan.engine}) is ready and now the default`);
    } catch (error) {
      const message = errorMessage(error);
      const failed = this.neural;
      this.neural = null;
      this.natural = { ...this.natural, state: 'failed', percent: null, message };
      if (failed) await failed.close().catch(() => {});
      if (!this.closed) log(`AITalk companion: the natural voice is unavailable: ${message}; eSpeak keeps speaking`);
      throw error;
    }
  }

  /** The neural engine once it can speak. */
  private readyNeural(): TtsEngine | null {
    return this.natural.state === 'ready' ? this.neural : null;
  }

  naturalVoice(): NaturalVoiceStatus {
    return { ...this.natural };
  }

  status(): EngineState {
    return this.espeak.status();
  }

  voices(): Voice[] {
    const espeakVoices = this.espeak.voices().map((voice) => ({
      ...voice,
      engine: voice.engine ?? this.espeak.name,
      accent: voice.accent ?? accentOf(voice.language),
      gender: voice.gender ?? (/\+f\d*$/.test(voice.id) ? ('female' as const) : ('male' as const)),
    }));
    const neural = this.readyNeural();
    if (!neural) return espeakVoices;
    const neuralVoices = neural.voices().map((voice) => ({
      ...voice,
      engine: voice.engine ?? neural.name,
      accent: voice.accent ?? accentOf(voice.language),
    }));
    return [...neuralVoices, ...espeakVoices];
  }

  defaultVoice(): string {
    return this.readyNeural()?.defaultVoice() ?? this.espeak.defaultVoice();
  }

  route(voice: string): VoiceRoute | null {
    const neural = this.readyNeural();
    if (neural?.acceptsVoice(voice)) return { engine: neural.name, voice };
    if (this.espeak.acceptsVoice(voice)) return { engine: this.espeak.name, voice };
    const pending = this.plan?.voices.find((candidate) => candidate.id === voice);
    if (pending) return { engine: this.espeak.name, voice: espeakStandIn(pending) };
    return null;
  }

  acceptsVoice(voice: string): boolean {
    return this.route(voice) !== null;
  }

  voiceForOpenAI(voice: OpenAIVoice): string {
    return (this.readyNeural() ?? this.espeak).voiceForOpenAI(voice);
  }

  queue(): QueueStats {
    const espeak = this.espeak.queue();
    const neural = this.neural?.queue();
    if (!neural) return espeak;
    return {
      active: espeak.active + neural.active,
      waiting: espeak.waiting + neural.waiting,
      max: Math.max(espeak.max, neural.max),
    };
  }

  async synthesize(
    text: string,
    voice: string,
    options: SynthesisOptions,
    signal: AbortSignal,
  ): Promise<SynthesizedAudio> {
    const route = this.route(voice);
    if (!route) {
      const ids = this.voices().map((known) => known.id);
      throw new ApiError(
        400,
        'invalid_request_error',
        `Unknown voice "${voice}". Available voices: ${ids.join(', ')} (see GET /voices).`,
        { param: 'voice' },
      );
    }
    const engine = route.engine === this.espeak.name ? this.espeak : this.readyNeural();
    if (!engine) return this.espeak.synthesize(text, this.espeak.defaultVoice(), options, signal);
    return engine.synthesize(text, route.voice, options, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort(new Error('the companion is shutting down'));
    await Promise.all([this.espeak.close(), this.neural?.close()]);
  }
}
