import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Device } from '../config.ts';
import { ApiError, notReady } from '../errors.ts';
import { nthVoice, type OpenAIVoice } from '../openai-voices.ts';
import { JobQueue } from '../queue.ts';
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
/** How long a worker gets to leave after "quit" before it is signalled. */
const QUIT_GRACE_MS = 2000;

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

interface InFlight {
  id: number;
  resolve: (audio: { sampleRate: number; pcm: Buffer }) => void;
  reject: (error: unknown) => void;
}

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
  private readonly jobs: JobQueue;
  private readonly log: (line: string) => void;
  private child: ChildProcessWithoutNullStreams | null = null;
  private childExited: Promise<void> = Promise.resolve();
  private state: EngineState;
  private inFlight: InFlight | null = null;
  private nextId = 1;
  private speakers: string[] | null = null;
  private voiceList: Voice[] = [];
  private closing = false;
  private fatalMessage: string | null = null;
  private settleFirstLoad: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private settleStarted: { resolve: () => void; reject: (error: Error) => void } | null = null;
  /** Number of workers started, for /health and the logs. */
  generation = 0;

  constructor(private readonly options: CoquiEngineOptions) {
    this.model = options.model;
    this.device = options.device;
    this.log = options.log ?? ((line) => console.info(line));
    this.jobs = new JobQueue(1, options.maxQueue);
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
    this.start();
  }

  status(): EngineState {
    return this.state;
  }

  /** The current worker's process id (the bench reads its CPU time). */
  get workerPid(): number | undefined {
    return this.child?.pid;
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

  queue(): ReturnType<JobQueue['stats']> {
    return this.jobs.stats();
  }

  async synthesize(
    text: string,
    voice: string,
    options: SynthesisOptions,
    signal: AbortSignal,
  ): Promise<SynthesizedAudio> {
    this.assertReady();
    const job = this.jobs.run(() => this.request(text, voice, options.speed), signal, {
      bypassLimit: options.continuation,
    });
    // Python cannot be interrupted inside tts(): a client that leaves gets its answer at once, while the
    // worker finishes the sentence and the result is dropped. Later sentences of that request are never sent.
    const audio = await raceAbort(job, signal);
    return { sampleRate: audio.sampleRate, chunks: single(audio.pcm) };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.jobs.close(new ApiError(503, 'server_error', 'the companion is shutting down'));
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      child.stdin.end(JSON.stringify({ op: 'quit' }) + '\n');
    } catch {
      // The pipe may already be gone; the signals below still end the process.
    }
    const exited = this.childExited;
    if (await settlesWithin(exited, QUIT_GRACE_MS)) return;
    child.kill('SIGTERM');
    if (await settlesWithin(exited, 1000)) return;
    child.kill('SIGKILL');
    await exited;
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

  private start(): void {
    this.generation++;
    this.fatalMessage = null;
    const child = spawn(
      this.options.python,
      ['-u', COQUI_WORKER_PATH, '--model', this.model, '--device', this.device],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, ...this.options.env, PYTHONUNBUFFERED: '1' },
      },
    );
    this.child = child;
    // Writing to a worker that just died raises EPIPE here; the exit handler already reports that death.
    child.stdin.on('error', () => {});
    let wasReady = false;
    this.childExited = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });

    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: WorkerMessage;
      try {
        message = JSON.parse(line) as WorkerMessage;
      } catch {
        this.log(`[coqui] ${line}`);
        return;
      }
      if (message.type === 'ready') wasReady = true;
      this.onMessage(message);
    });
    createInterface({ input: child.stderr }).on('line', (line) => this.log(`[coqui worker] ${line}`));

    child.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `Python was not found at "${this.options.python}": run npm run setup:coqui in the AITalk folder (it needs Python 3.10-3.13), or pass --python PATH`
          : `could not start the Coqui worker with ${this.options.python}: ${error.message}`;
      this.onWorkerGone(reason, false);
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const reason = this.fatalMessage ?? `the Coqui worker stopped unexpectedly (${how})`;
      this.onWorkerGone(reason, wasReady);
    });
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
      case 'fatal':
        this.fatalMessage = message.message;
        return;
      case 'audio':
      case 'error': {
        const inFlight = this.inFlight;
        if (!inFlight || inFlight.id !== message.id) return;
        this.inFlight = null;
        if (message.type === 'audio') {
          inFlight.resolve({ sampleRate: message.sample_rate, pcm: Buffer.from(message.pcm, 'base64') });
        } else {
          inFlight.reject(new ApiError(500, 'engine_error', `Coqui could not speak this text: ${message.message}`));
        }
      }
    }
  }

  private onWorkerGone(reason: string, wasReady: boolean): void {
    const inFlight = this.inFlight;
    this.inFlight = null;
    this.child = null;
    if (this.closing) {
      inFlight?.reject(new ApiError(503, 'server_error', 'the companion is shutting down'));
      return;
    }
    if (wasReady) {
      inFlight?.reject(new ApiError(500, 'engine_error', `${reason}; a new worker is being started`));
      this.log(`[coqui] ${reason}; starting a new worker`);
      this.state = {
        state: 'loading',
        message: 'restarting after a worker failure',
        retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS,
      };
      this.start();
      return;
    }
    // A worker that never became ready would fail the same way again: stay down and say why.
    inFlight?.reject(new ApiError(500, 'engine_error', reason));
    this.state = { state: 'error', message: reason };
    this.settleStarted?.reject(new Error(reason));
    this.settleStarted = null;
    this.settleFirstLoad?.reject(new Error(reason));
    this.settleFirstLoad = null;
  }

  private request(text: string, voice: string, speed: number): Promise<{ sampleRate: number; pcm: Buffer }> {
    this.assertReady();
    const child = this.child;
    if (!child) throw new ApiError(503, 'engine_error', 'the Coqui worker is not running');
    const id = this.nextId++;
    const speaker = this.speakers?.length ? voice : null;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.inFlight?.id !== id) return;
        this.inFlight = null;
        reject(
          new ApiError(504, 'timeout', `Coqui took longer than ${this.options.timeoutMs / 1000} s for one sentence`),
        );
        // A stuck synthesis can only be ended with its process; the exit handler starts a fresh worker.
        // Until then nothing may be written to the dying one: say "loading" at once, not when it exits.
        this.state = {
          state: 'loading',
          message: 'replacing a worker that got stuck',
          retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS,
        };
        child.kill('SIGKILL');
      }, this.options.timeoutMs);
      this.inFlight = {
        id,
        resolve: (audio) => {
          clearTimeout(timer);
          resolve(audio);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      child.stdin.write(JSON.stringify({ op: 'synthesize', id, text, speaker, speed }) + '\n');
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

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
