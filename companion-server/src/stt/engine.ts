import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ApiError, errorMessage } from '../errors.ts';
import { JobQueue } from '../queue.ts';
import type { QueueStats } from '../engines/types.ts';
import { fetchPack, terminalProgress, type FetchPackOptions } from '../voices/fetch.ts';
import { STT_MODEL_PACKS, isSttModelName } from './models.ts';

export const STT_WORKER_PATH = fileURLToPath(new URL('../../stt_worker.py', import.meta.url));

const LOADING_RETRY_AFTER_SECONDS = 5;
const QUIT_GRACE_MS = 2000;

export type SttState = 'fetching' | 'loading' | 'ready' | 'failed';

/** GET /health's `stt` while transcription is on. */
export interface SttStatus {
  state: SttState;
  /** The official name (tiny.en) or the folder given. */
  model: string;
  /** While fetching, 0–100. */
  percent: number | null;
  /** Why it failed and what to do, or what it is doing while loading. */
  message: string | null;
  queue: QueueStats;
}

export interface TranscribeRequest {
  audio: Buffer;
  language: string;
  prompt: string | null;
  temperature: number;
  /** Word timings (verbose_json); they cost some decoding time, so json and text go without. */
  words: boolean;
}

export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
  probability: number;
}

export interface TranscriptSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface Transcript {
  text: string;
  language: string;
  /** Seconds of audio. */
  duration: number;
  segments: TranscriptSegment[];
  words: TranscriptWord[];
  /** Seconds the worker spent decoding. */
  seconds: number;
}

export interface SttEngineOptions {
  /** tiny.en (fetched into modelsDir on first use) or a faster-whisper model folder. */
  model: string;
  modelsDir: string;
  /** Replaces the official host of the model download (env AITALK_VOICE_MIRROR; tests). */
  mirror?: string;
  python: string;
  maxQueue: number;
  timeoutMs: number;
  /** CPU threads for one transcription. */
  threads?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Tests: shorter download retries. */
  fetch?: Pick<FetchPackOptions, 'attempts' | 'retryDelayMs' | 'stallMs'>;
}

type WorkerMessage =
  | { type: 'progress'; message: string }
  | { type: 'ready'; model: string; multilingual: boolean; load_seconds: number; warm_up_seconds: number }
  | ({ type: 'result'; id: number } & Omit<Transcript, 'text'>)
  | { type: 'error'; id: number | null; code: 'undecodable' | 'no_audio' | 'failed'; message: string }
  | { type: 'fatal'; code: string; message: string };

interface InFlight {
  id: number;
  resolve: (transcript: Transcript) => void;
  reject: (error: unknown) => void;
}

/**
 * Whisper through one persistent faster-whisper worker (companion-server/stt_worker.py) that loads the model once.
 * It is independent of the speech engine: a model that cannot be fetched or loaded makes transcription answer 503
 * with the reason while speech goes on. One transcription at a time (two would only share the same two cores), the
 * rest wait in a bounded queue.
 */
export class SttEngine {
  readonly ready: Promise<void>;
  private readonly jobs: JobQueue;
  private readonly log: (line: string) => void;
  private state: { state: SttState; percent: number | null; message: string | null };
  private child: ChildProcessWithoutNullStreams | null = null;
  private childExited: Promise<void> = Promise.resolve();
  private folder: string | null = null;
  private multilingual = false;
  private inFlight: InFlight | null = null;
  private nextId = 1;
  private closing = false;
  private fatalMessage: string | null = null;
  private settleReady: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private readonly scratch: Promise<string>;
  private readonly fetchAbort = new AbortController();

  constructor(private readonly options: SttEngineOptions) {
    this.log = options.log ?? ((line) => console.info(line));
    this.jobs = new JobQueue(1, options.maxQueue);
    this.state = { state: 'loading', percent: null, message: 'starting' };
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    this.ready.catch(() => {});
    // Uploads are written here for the worker to read: a private folder (mkdtemp makes it 0700), never a name from
    // the request.
    this.scratch = mkdtemp(path.join(os.tmpdir(), 'aitalk-stt-'));
    this.scratch.catch(() => {});
    void this.begin();
  }

  status(): SttStatus {
    return { ...this.state, model: this.options.model, queue: this.jobs.stats() };
  }

  /** The worker's process id (the bench reads its memory). */
  get workerPid(): number | undefined {
    return this.child?.pid;
  }

  /** English always; other languages only on a multilingual model (the .en models know English alone). */
  acceptsLanguage(language: string): boolean {
    return language === 'en' || (this.multilingual && /^[a-z]{2,3}$/.test(language));
  }

  async transcribe(request: TranscribeRequest, signal: AbortSignal): Promise<Transcript> {
    this.assertReady();
    return this.jobs.run(() => this.run(request), signal);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.fetchAbort.abort(new Error('the companion is shutting down'));
    this.jobs.close(new ApiError(503, 'server_error', 'the companion is shutting down'));
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        child.stdin.end(JSON.stringify({ op: 'quit' }) + '\n');
      } catch {
        // The pipe may already be gone; the signals below still end the process.
      }
      if (!(await settlesWithin(this.childExited, QUIT_GRACE_MS))) {
        child.kill('SIGKILL');
        await this.childExited;
      }
    }
    const scratch = await this.scratch.catch(() => null);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }

  private assertReady(): void {
    const { state, message, percent } = this.state;
    if (state === 'ready') return;
    if (state === 'failed') {
      throw new ApiError(503, 'engine_error', `Transcription is unavailable: ${message ?? 'the model did not load'}`);
    }
    const doing =
      state === 'fetching'
        ? `the Whisper model ${this.options.model} is being fetched (${percent ?? 0} %)`
        : `the Whisper model is loading (${message ?? 'starting'})`;
    throw new ApiError(503, 'engine_loading', `Transcription is not ready yet: ${doing}; try again shortly.`, {
      retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS,
    });
  }

  private async begin(): Promise<void> {
    try {
      this.folder = await this.resolveFolder();
    } catch (error) {
      this.fail(errorMessage(error));
      return;
    }
    if (!this.closing) this.start();
  }

  /** An official name is fetched (or checked, when already there) into the models folder; a folder is used as is. */
  private async resolveFolder(): Promise<string> {
    const name = this.options.model;
    if (!isSttModelName(name)) return name;
    const pack = STT_MODEL_PACKS[name];
    if (!pack) throw new Error(`no checked download is recorded for ${name}: pass its folder with --stt-model`);
    const label = `the Whisper model ${name}`;
    const terminal = terminalProgress(name, this.log, { label });
    const started = Date.now();
    this.state = { state: 'fetching', percent: 0, message: null };
    const result = await fetchPack(pack, {
      voicesDir: this.options.modelsDir,
      mirror: this.options.mirror,
      label,
      offlineHint: 'pass a downloaded model folder with --stt-model FOLDER (speech goes on meanwhile)',
      dirFlag: '--stt-models-dir',
      signal: this.fetchAbort.signal,
      ...this.options.fetch,
      onProgress: (progress) => {
        this.state = { state: 'fetching', percent: progress.percent, message: null };
        terminal.progress(progress);
      },
    });
    if (result.fetchedBytes > 0) terminal.done(result, (Date.now() - started) / 1000);
    this.state = { state: 'loading', percent: null, message: 'starting the Whisper worker' };
    return path.dirname(result.modelPath);
  }

  private fail(reason: string): void {
    this.state = { state: 'failed', percent: null, message: reason };
    this.log(`[stt] transcription is off: ${reason}`);
    this.settleReady?.reject(new Error(reason));
    this.settleReady = null;
  }

  private start(): void {
    this.fatalMessage = null;
    this.state = { state: 'loading', percent: null, message: 'starting the Whisper worker' };
    const threads = this.options.threads ?? Math.max(1, Math.min(4, os.availableParallelism()));
    const child = spawn(
      this.options.python,
      ['-u', STT_WORKER_PATH, '--model', this.folder!, '--threads', String(threads)],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...this.options.env, PYTHONUNBUFFERED: '1' } },
    );
    this.child = child;
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
        this.log(`[stt] ${line}`);
        return;
      }
      if (message.type === 'ready') wasReady = true;
      this.onMessage(message);
    });
    createInterface({ input: child.stderr }).on('line', (line) => this.log(`[stt worker] ${line}`));
    child.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `Python was not found at "${this.options.python}": run npm run setup:stt in the AITalk folder, or pass --stt-python PATH`
          : `could not start the Whisper worker with ${this.options.python}: ${error.message}`;
      this.onWorkerGone(reason, false);
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.onWorkerGone(this.fatalMessage ?? `the Whisper worker stopped unexpectedly (${how})`, wasReady);
    });
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'progress':
        this.log(`[stt] ${message.message}`);
        if (this.state.state === 'loading') this.state = { ...this.state, message: message.message };
        return;
      case 'ready':
        this.multilingual = message.multilingual;
        this.state = { state: 'ready', percent: null, message: null };
        this.log(
          `[stt] Whisper ${this.options.model} ready in ${message.load_seconds} s, warmed up in ` +
            `${message.warm_up_seconds} s (${message.multilingual ? 'multilingual' : 'English only'})`,
        );
        this.settleReady?.resolve();
        this.settleReady = null;
        return;
      case 'fatal':
        this.fatalMessage = message.message;
        return;
      case 'result':
      case 'error': {
        const inFlight = this.inFlight;
        if (!inFlight || inFlight.id !== message.id) return;
        this.inFlight = null;
        if (message.type === 'result') {
          const { segments, words, language, duration, seconds } = message;
          const text = segments
            .map((segment) => segment.text)
            .join('')
            .trim();
          inFlight.resolve({ text, segments, words, language, duration, seconds });
        } else if (message.code === 'undecodable' || message.code === 'no_audio') {
          inFlight.reject(
            new ApiError(
              400,
              'invalid_request_error',
              message.code === 'no_audio'
                ? 'The file holds no audio: record again, or send a file with sound in it.'
                : `The file could not be decoded as audio (${message.message}): send WAV, WebM/Opus, Ogg, MP3, ` +
                  `M4A or FLAC.`,
              { param: 'file' },
            ),
          );
        } else {
          inFlight.reject(new ApiError(500, 'engine_error', `Whisper could not transcribe this: ${message.message}`));
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
      this.log(`[stt] ${reason}; starting a new worker`);
      this.start();
      return;
    }
    inFlight?.reject(new ApiError(503, 'engine_error', reason));
    this.fail(reason);
  }

  private async run(request: TranscribeRequest): Promise<Transcript> {
    this.assertReady();
    const child = this.child;
    if (!child) throw new ApiError(503, 'engine_error', 'the Whisper worker is not running');
    const id = this.nextId++;
    const file = path.join(await this.scratch, `upload-${id}`);
    await writeFile(file, request.audio, { mode: 0o600 });
    try {
      return await new Promise<Transcript>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (this.inFlight?.id !== id) return;
          this.inFlight = null;
          reject(
            new ApiError(
              504,
              'timeout',
              `Whisper took longer than ${this.options.timeoutMs / 1000} s: send less audio`,
            ),
          );
          // Python cannot be interrupted mid-decode: end the worker; the exit handler starts a fresh one.
          this.state = { state: 'loading', percent: null, message: 'replacing a worker that took too long' };
          child.kill('SIGKILL');
        }, this.options.timeoutMs);
        const settle = { resolve, reject };
        this.inFlight = {
          id,
          resolve: (value) => {
            clearTimeout(timer);
            settle.resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            settle.reject(error);
          },
        };
        child.stdin.write(
          JSON.stringify({
            op: 'transcribe',
            id,
            path: file,
            language: request.language,
            prompt: request.prompt,
            temperature: request.temperature,
            words: request.words,
          }) + '\n',
        );
      });
    } finally {
      await rm(file, { force: true });
    }
  }
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
