import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, errorMessage } from '../errors.ts';
import { PythonWorker } from '../python-worker.ts';
import { JobQueue } from '../queue.ts';
import type { QueueStats } from '../engines/types.ts';
import { fetchPack, terminalProgress, type FetchPackOptions } from '../voices/fetch.ts';
import { STT_MODEL_PACKS, isSttModelName } from './models.ts';
import type { TranscribeRequest, Transcript } from './transcript.ts';

export type { TranscribeRequest, Transcript, TranscriptSegment, TranscriptWord } from './transcript.ts';

export const STT_WORKER_PATH = fileURLToPath(new URL('../../stt_worker.py', import.meta.url));

const LOADING_RETRY_AFTER_SECONDS = 5;

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
  private readonly worker: PythonWorker<WorkerMessage>;
  private multilingual = false;
  /** Names the uploads in the scratch folder. */
  private nextUpload = 1;
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
    this.worker = new PythonWorker<WorkerMessage>({
      python: options.python,
      script: STT_WORKER_PATH,
      env: options.env,
      tag: 'stt',
      name: 'the Whisper worker',
      pythonMissing: `Python was not found at "${options.python}": run npm run setup:stt in the AITalk folder, or pass --stt-python PATH`,
      neverReadyStatus: 503,
      stopSignals: ['SIGKILL'],
      log: this.log,
      onMessage: (message) => this.onMessage(message),
      onRestart: () => this.setStarting(),
      onFailed: (reason) => this.fail(reason),
    });
    void this.begin();
  }

  status(): SttStatus {
    return { ...this.state, model: this.options.model, queue: this.jobs.stats() };
  }

  /** The worker's process id (the bench reads its memory). */
  get workerPid(): number | undefined {
    return this.worker.pid;
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
    this.fetchAbort.abort(new Error('the companion is shutting down'));
    this.jobs.close(new ApiError(503, 'server_error', 'the companion is shutting down'));
    await this.worker.close();
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
    let folder: string;
    try {
      folder = await this.resolveFolder();
    } catch (error) {
      this.fail(errorMessage(error));
      return;
    }
    if (this.worker.closed) return;
    this.setStarting();
    const threads = this.options.threads ?? Math.max(1, Math.min(4, os.availableParallelism()));
    this.worker.start(['--model', folder, '--threads', String(threads)]);
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
    this.setStarting();
    return path.dirname(result.modelPath);
  }

  private fail(reason: string): void {
    this.state = { state: 'failed', percent: null, message: reason };
    this.log(`[stt] transcription is off: ${reason}`);
    this.settleReady?.reject(new Error(reason));
    this.settleReady = null;
  }

  private setStarting(): void {
    this.state = { state: 'loading', percent: null, message: 'starting the Whisper worker' };
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
      case 'result': {
        const { segments, words, language, duration, seconds } = message;
        const text = segments
          .map((segment) => segment.text)
          .join('')
          .trim();
        this.worker.answer(message.id, { value: { text, segments, words, language, duration, seconds } });
        return;
      }
      case 'error':
        this.worker.answer(message.id, { error: workerError(message) });
    }
  }

  private async run(request: TranscribeRequest): Promise<Transcript> {
    this.assertReady();
    const file = path.join(await this.scratch, `upload-${this.nextUpload++}`);
    await writeFile(file, request.audio, { mode: 0o600 });
    try {
      const { language, prompt, temperature, words } = request;
      const payload = { op: 'transcribe', path: file, language, prompt, temperature, words };
      return await this.worker.request<Transcript>(payload, this.options.timeoutMs, () => {
        // Python cannot be interrupted mid-decode: end the worker; the exit handler starts a fresh one.
        this.state = { state: 'loading', percent: null, message: 'replacing a worker that took too long' };
        return new ApiError(
          504,
          'timeout',
          `Whisper took longer than ${this.options.timeoutMs / 1000} s: send less audio`,
        );
      });
    } finally {
      await rm(file, { force: true });
    }
  }
}

/** The worker's refusal of one upload: the learner's file is at fault (400) or Whisper is (500). */
function workerError(message: Extract<WorkerMessage, { type: 'error' }>): ApiError {
  if (message.code === 'no_audio') {
    return new ApiError(
      400,
      'invalid_request_error',
      'The file holds no audio: record again, or send a file with sound in it.',
      { param: 'file' },
    );
  }
  if (message.code === 'undecodable') {
    return new ApiError(
      400,
      'invalid_request_error',
      `The file could not be decoded as audio (${message.message}): send WAV, WebM/Opus, Ogg, MP3, M4A or FLAC.`,
      { param: 'file' },
    );
  }
  return new ApiError(500, 'engine_error', `Whisper could not transcribe this: ${message.message}`);
}
