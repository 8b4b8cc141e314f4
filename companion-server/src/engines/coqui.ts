import { fileURLToPath } from 'node:url';
import type { Device } from '../config.ts';
import { ApiError, notReady } from '../errors.ts';
import { nthVoice, type OpenAIVoice } from '../openai-voices.ts';
import { PythonWorker } from '../python-worker.ts';
import { SentenceQueue } from './sentence-queue.ts';
import {
  single,
  type EngineState,
  type SynthesizedAudio,
  type SynthesisOptions,
  type TtsEngine,
  type Voice,
} from './types.ts';

export const COQUI_WORKER_PATH = fileURLToPath(new URL('../../coqui_worker.py', import.meta.url));

/** How long a client is told to wait while the model loads; loading takes seconds to minutes. */
const LOADING_RETRY_AFTER_SECONDS = 5;

type WorkerMessage =
  | { type: 'progress'; message: string }
  | {
      type: 'ready';
      sample_rate: number;
      speakers: string[] | null;
      languages: string[] | null;
      supports_speed: boolean;
      /** The credit the voice's licence asks for (Jenny), shown with the voice. */
      attribution: string | null;
      license: string | null;
      load_seconds: number;
      warm_up_seconds: number;
    }
  | { type: 'audio'; id: number; sample_rate: number; pcm: string }
  | { type: 'error'; id: number | null; message: string }
  | { type: 'fatal'; code: string; message: string };

export interface CoquiEngineOptions {
  model: string;
  device: Device;
  python: string;
  maxQueue: number;
  timeoutMs: number;
  /** Extra environment for the worker (tests point PYTHONPATH at a stand-in TTS package). */
  env?: NodeJS.ProcessEnv;
  /** Where worker progress and stderr lines go. */
  log?: (line: string) => void;
}

/**
 * Coqui TTS through one persistent Python worker (companion-server/coqui_worker.py) that loads the model once.
 * Requests run one at a time (the synthesiser is not thread-safe), the rest wait in a bounded queue. A worker
 * that dies fails the sentence it was speaking with a 500 and is replaced for the next request.
 */
export class CoquiEngine implements TtsEngine {
  readonly name = 'coqui' as const;
  readonly model: string;
  readonly device: Device;
  readonly started: Promise<void>;
  readonly ready: Promise<void>;
  private readonly jobs: SentenceQueue;
  private readonly log: (line: string) => void;
  private readonly worker: PythonWorker<WorkerMessage>;
  private state: EngineState;
  private speakers: string[] | null = null;
  private voiceList: Voice[] = [];
  private settleFirstLoad: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private settleStarted: { resolve: () => void; reject: (error: Error) => void } | null = null;
  constructor(private readonly options: CoquiEngineOptions) {
    this.model = options.model;
    this.device = options.device;
    this.log = options.log ?? ((line) => console.info(line));
    this.jobs = new SentenceQueue(1, options.maxQueue);
    this.state = {
      state: 'loading',
      message: 'starting the Coqui worker',
      retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS,
    };
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleFirstLoad = { resolve, reject };
    });
    this.ready.catch(() => {});
    this.started = new Promise<void>((resolve, reject) => {
      this.settleStarted = { resolve, reject };
    });
    this.started.catch(() => {});
    this.worker = new PythonWorker<WorkerMessage>({
      python: options.python,
      script: COQUI_WORKER_PATH,
      env: options.env,
      tag: 'coqui',
      name: 'the Coqui worker',
      pythonMissing: `Python was not found at "${options.python}": run npm run setup:coqui in the AITalk folder (it needs Python 3.10-3.13), or pass --python PATH`,
      neverReadyStatus: 500,
      stopSignals: ['SIGTERM', 'SIGKILL'],
      log: this.log,
      onMessage: (message) => this.onMessage(message),
      onRestart: () => {
        this.state = {
          state: 'loading',
          message: 'restarting after a worker failure',
          retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS,
        };
      },
      onFailed: (reason) => this.onFailed(reason),
    });
    this.worker.start(['--model', this.model, '--device', this.device]);
  }

  /** Number of workers started, for /health and the logs. */
  get generation(): number {
    return this.worker.generation;
  }

  status(): EngineState {
    return this.state;
  }

  /** The current worker's process id (the bench reads its CPU time). */
  get workerPid(): number | undefined {
    return this.worker.pid;
  }

  voices(): Voice[] {
    return this.voiceList;
  }

  defaultVoice(): string {
    return this.voiceList[0]?.id ?? 'default';
  }

  acceptsVoice(voice: string): boolean {
    return this.voiceList.some((candidate) => candidate.id === voice);
  }

  /** A multi-speaker model lends its speakers to OpenAI's names in order; a single voice answers to all of them. */
  voiceForOpenAI(voice: OpenAIVoice): string {
    return nthVoice(
      voice,
      this.voiceList.map((candidate) => candidate.id),
      this.defaultVoice(),
    );
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
    this.assertReady();
    const job = this.jobs.speak(() => this.request(text, voice, options.speed), options, signal);
    // Python cannot be interrupted inside tts(): a client that leaves gets its answer at once, while the
    // worker finishes the sentence and the result is dropped. Later sentences of that request are never sent.
    const audio = await raceAbort(job, signal);
    return { sampleRate: audio.sampleRate, chunks: single(audio.pcm) };
  }

  async close(): Promise<void> {
    this.jobs.shutDown();
    await this.worker.close();
  }

  private assertReady(): void {
    const state = this.state;
    if (state.state === 'loading') {
      throw notReady(
        `The Coqui model ${this.model} is loading (${state.message}); try again shortly.`,
        state.retryAfterSeconds,
      );
    }
    if (state.state === 'error')
      throw new ApiError(503, 'engine_error', `The Coqui engine is unavailable: ${state.message}`);
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'progress':
        this.settleStarted?.resolve();
        this.settleStarted = null;
        this.log(`[coqui] ${message.message}`);
        if (this.state.state === 'loading') this.state = { ...this.state, message: message.message };
        return;
      case 'ready': {
        this.speakers = message.speakers;
        const credit = message.attribution ? { attribution: message.attribution } : {};
        this.voiceList = message.speakers?.length
          ? message.speakers.map((speaker) => ({ id: speaker, name: speaker, language: 'en', ...credit }))
          : [{ id: 'default', name: this.model.split('/').slice(-2).join(' '), language: 'en', ...credit }];
        this.state = { state: 'ready' };
        this.log(
          `[coqui] ${this.model} ready on ${this.device} in ${message.load_seconds} s, warmed up in ` +
            `${message.warm_up_seconds} s (${message.sample_rate} Hz, licence: ${message.license ?? 'unknown'})`,
        );
        if (message.attribution) this.log(`[coqui] ${message.attribution}`);
        if (!message.supports_speed) this.log(`[coqui] ${this.model} has no speed control: "speed" is ignored`);
        this.settleStarted?.resolve();
        this.settleStarted = null;
        this.settleFirstLoad?.resolve();
        this.settleFirstLoad = null;
        return;
      }
      case 'audio':
        this.worker.answer(message.id, {
          value: { sampleRate: message.sample_rate, pcm: Buffer.from(message.pcm, 'base64') },
        });
        return;
      case 'error':
        this.worker.answer(message.id, {
          error: new ApiError(500, 'engine_error', `Coqui could not speak this text: ${message.message}`),
        });
    }
  }

  /** A worker that never became ready would fail the same way again: stay down and say why. */
  private onFailed(reason: string): void {
    this.state = { state: 'error', message: reason };
    this.settleStarted?.reject(new Error(reason));
    this.settleStarted = null;
    this.settleFirstLoad?.reject(new Error(reason));
    this.settleFirstLoad = null;
  }

  private request(text: string, voice: string, speed: number): Promise<{ sampleRate: number; pcm: Buffer }> {
    this.assertReady();
    const speaker = this.speakers?.length ? voice : null;
    return this.worker.request({ op: 'synthesize', text, speaker, speed }, this.options.timeoutMs, () => {
      // A stuck synthesis can only be ended with its process; the exit handler starts a fresh worker.
      // Until then nothing may be written to the dying one: say "loading" at once, not when it exits.
      this.state = {
        state: 'loading',
        message: 'replacing a worker that got stuck',
        retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS,
      };
      return new ApiError(504, 'timeout', `Coqui took longer than ${this.options.timeoutMs / 1000} s for one sentence`);
    });
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
