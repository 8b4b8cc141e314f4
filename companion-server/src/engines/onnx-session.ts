import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ApiError, errorMessage } from '../errors.ts';

const WORKER_URL = new URL('./onnx-worker.js', import.meta.url);

export interface Feed {
  type: 'int64' | 'float32';
  data: BigInt64Array | Float32Array;
  dims: number[];
}

export interface Output {
  data: Float32Array;
  dims: readonly number[];
}

type WorkerMessage =
  | { type: 'loaded'; inputs: { name: string; type: string }[]; outputs: string[] }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, Output> }
  | { type: 'error'; id: number; message: string };

/** Threads ONNX Runtime may use for one inference: the machine's cores, at most four (more gain little here). */
export function defaultOnnxThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/**
 * An ONNX model loaded in a worker thread (onnx-worker.js), run one call at a time by its engine's queue.
 * `open` rejects with ONNX Runtime's reason when the file is not a model it can load.
 */
export class OnnxSession {
  private readonly pending = new Map<
    number,
    { resolve: (o: Record<string, Output>) => void; reject: (e: Error) => void; settled: Promise<unknown> }
  >();
  private nextId = 1;
  private deadReason: string | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly inputs: { name: string; type: string }[],
    readonly outputs: string[],
  ) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.type === 'result') pending.resolve(message.outputs);
      else pending.reject(new ApiError(500, 'engine_error', `the voice model failed: ${message.message}`));
    });
    const die = (reason: string): void => {
      if (this.deadReason) return;
      this.deadReason = reason;
      for (const pending of this.pending.values()) pending.reject(new ApiError(500, 'engine_error', reason));
      this.pending.clear();
    };
    worker.on('error', (error) => die(`the voice model's thread failed: ${error.message}`));
    worker.on('exit', (code) => die(`the voice model's thread exited (code ${code})`));
  }

  static open(modelPath: string, threads = defaultOnnxThreads()): Promise<OnnxSession> {
    const worker = new Worker(WORKER_URL, { workerData: { modelPath, threads } });
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        reject(new Error(reason));
      };
      worker.once('message', (message: WorkerMessage) => {
        if (message.type === 'loaded') {
          settled = true;
          resolve(new OnnxSession(worker, message.inputs, message.outputs));
        } else if (message.type === 'failed') fail(message.message);
      });
      worker.once('error', (error) => fail(errorMessage(error)));
      worker.once('exit', (code) => fail(`the model's thread exited (code ${code}) before it loaded`));
    });
  }

  get dead(): boolean {
    return this.deadReason !== null;
  }

  run(feeds: Record<string, Feed>): Promise<Record<string, Output>> {
    if (this.deadReason) return Promise.reject(new ApiError(500, 'engine_error', this.deadReason));
    const id = this.nextId++;
    let settle: { resolve: (o: Record<string, Output>) => void; reject: (e: Error) => void } | undefined;
    const result = new Promise<Record<string, Output>>((resolve, reject) => (settle = { resolve, reject }));
    this.pending.set(id, { ...settle!, settled: result.catch(() => {}) });
    this.worker.postMessage({ id, feeds });
    return result;
  }

  /**
   * Ends the thread once the runs it was given have finished: ending it during a run makes ONNX Runtime abort the
   * whole process ("terminate called after throwing an instance of 'Napi::Error'", seen in these tests).
   */
  async close(): Promise<void> {
    const running = [...this.pending.values()].map((pending) => pending.settled);
    await Promise.allSettled(running);
    await this.worker.terminate();
  }
}

/** Float samples in −1..1 → 16-bit signed little-endian PCM, clipped. */
export function floatToPcm16(samples: Float32Array): Buffer {
  const pcm = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const value = Math.max(-1, Math.min(1, samples[i]!));
    pcm.writeInt16LE(Math.round(value * 32767), i * 2);
  }
  return pcm;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Settles with `work`, or rejects at once when `signal` aborts (AbortError) or `timeoutMs` passes (504). */
export function settleWithin<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number, label: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      reject(new ApiError(504, 'timeout', `${label} took longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
