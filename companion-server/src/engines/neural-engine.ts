import { ApiError, errorMessage, notReady } from '../errors.ts';
import type { OpenAIVoice } from '../openai-voices.ts';
import { SentenceQueue } from './sentence-queue.ts';
import { OnnxSession, settleWithin, type Feed, type Output } from './onnx-session.ts';
import { Phonemizer } from './phonemes.ts';
import type { EngineState, QueueStats, SynthesizedAudio, SynthesisOptions, Voice } from './types.ts';

export interface NeuralEngineOptions {
  maxQueue: number;
  timeoutMs: number;
  /** ONNX Runtime's threads for one inference (default: defaultOnnxThreads() in ./onnx-session.ts). */
  threads?: number;
  /** An eSpeak NG phonemizer to share with another engine; one of its own otherwise. */
  phonemizer?: Phonemizer;
}

/** What a neural engine has once its model is loaded and warmed up. */
export interface LoadedModel {
  session: OnnxSession;
  voices: Voice[];
}

/**
 * The part Piper and Kokoro share: an ONNX model in a worker thread, one inference at a time (each already uses
 * every core), eSpeak NG phonemes, readiness, timeout and abort. A subclass says how to load and check its files
 * and how to turn a sentence into audio.
 */
export abstract class NeuralEngine {
  readonly device = 'cpu' as const;
  readonly started: Promise<void>;
  readonly ready: Promise<void>;
  protected readonly phonemizer: Phonemizer;
  private readonly ownsPhonemizer: boolean;
  private readonly jobs: SentenceQueue;
  private state: EngineState = { state: 'loading', message: 'loading the voice model', retryAfterSeconds: 2 };
  /** The model alone, which close() waits for: a thread still loading must not be left running. */
  private readonly loading: Promise<LoadedModel>;
  private readonly session: Promise<OnnxSession>;
  private voiceList: Voice[] = [];
  private closed = false;

  protected constructor(
    protected readonly options: NeuralEngineOptions,
    /** How errors name the engine to the learner, e.g. "The Piper voice en_US-joe-medium". */
    private readonly label: string,
  ) {
    this.phonemizer = options.phonemizer ?? new Phonemizer();
    this.ownsPhonemizer = !options.phonemizer;
    this.jobs = new SentenceQueue(1, options.maxQueue);
    // A microtask later, so that checkFiles and loadModel see the subclass's fields, set after this constructor.
    this.started = Promise.resolve().then(() => this.checkFiles());
    this.loading = this.started.then(() => this.loadModel());
    const loaded = Promise.all([this.loading, this.phonemizer.ready]).then(([model]) => model);
    this.session = loaded.then((model) => model.session);
    this.ready = loaded.then(
      (model) => {
        if (this.closed) throw new Error(`${label} was closed while it loaded`);
        this.voiceList = model.voices;
        this.state = { state: 'ready' };
      },
      (error: unknown) => {
        this.state = { state: 'error', message: errorMessage(error) };
        throw error;
      },
    );
    // Callers that never await these must not see an unhandled rejection; status() carries the reason.
    this.started.catch(() => {});
    this.loading.catch(() => {});
    this.session.catch(() => {});
    this.ready.catch(() => {});
  }

  status(): EngineState {
    return this.state;
  }

  voices(): Voice[] {
    return this.voiceList;
  }

  abstract defaultVoice(): string;
  abstract voiceForOpenAI(voice: OpenAIVoice): string;

  acceptsVoice(voice: string): boolean {
    return this.voiceList.some((candidate) => candidate.id === voice);
  }

  queue(): QueueStats {
    return this.jobs.stats();
  }

  async synthesize(
    text: string,
    voice: string,
    options: SynthesisOptions,
    signal: AbortSignal,
  ): Promise<SynthesizedAudio> {
    this.assertReady();
    if (!this.acceptsVoice(voice)) {
      throw new ApiError(
        400,
        'invalid_request_error',
        `Unknown voice "${voice}". ${this.label} has: ${this.voiceList.map((v) => v.id).join(', ')} (see GET /voices).`,
        { param: 'voice' },
      );
    }
    // On abort or timeout the caller is answered at once; the sentence being computed finishes in its thread
    // (ending an ONNX Runtime thread mid-run aborts the whole process) and the rest of the text is not started.
    const chunks = await this.jobs.speak(
      () => settleWithin(this.render(text, voice, options.speed, signal), signal, this.options.timeoutMs, this.label),
      options,
      signal,
    );
    return { sampleRate: this.sampleRate(), chunks: fromArray(chunks) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state = { state: 'error', message: `${this.label} was closed` };
    this.jobs.shutDown();
    // The model first: its warm-up needs the phonemizer, and a load under way finishes before its thread ends.
    await this.loading.then(
      (model) => model.session.close(),
      () => {},
    );
    await this.closePhonemizer();
  }

  protected abstract sampleRate(): number;

  /** Checks the files (fast): rejects with what is wrong, naming the file, and what to do. */
  protected abstract checkFiles(): Promise<void>;

  /** Loads the model (seconds) and warms it up. */
  protected abstract loadModel(): Promise<LoadedModel>;

  /** The audio of `text`, one chunk per piece the model was run on; stops early once `signal` aborts. */
  protected abstract render(text: string, voice: string, speed: number, signal: AbortSignal): Promise<Buffer[]>;

  protected async infer(feeds: Record<string, Feed>, signal: AbortSignal): Promise<Record<string, Output>> {
    if (signal.aborted) throw signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
    const session = await this.session;
    return session.run(feeds);
  }

  private closePhonemizer(): Promise<void> {
    return this.ownsPhonemizer ? this.phonemizer.close() : Promise.resolve();
  }

  private assertReady(): void {
    const state = this.state;
    if (state.state === 'loading') {
      throw notReady(`${this.label} is loading (${state.message}); try again shortly.`, state.retryAfterSeconds);
    }
    if (state.state === 'error')
      throw new ApiError(503, 'engine_error', `${this.label} is unavailable: ${state.message}`);
  }
}

async function* fromArray(chunks: Buffer[]): AsyncIterable<Buffer> {
  for (const chunk of chunks) yield chunk;
}
