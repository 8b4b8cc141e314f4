import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ApiError } from './errors.ts';

/** How long a worker gets to leave after "quit" before it is signalled. */
const QUIT_GRACE_MS = 2000;
/** How long each stop signal but the last is given to work. */
const SIGNAL_GRACE_MS = 1000;

export interface PythonWorkerOptions<M extends { type: string }> {
  python: string;
  /** The worker script (companion-server/coqui_worker.py, companion-server/stt_worker.py). */
  script: string;
  /** Extra environment (tests point PYTHONPATH at stand-in packages). */
  env?: NodeJS.ProcessEnv;
  /** The log prefix: "[tag] …" for the worker's progress, "[tag worker] …" for its stderr. */
  tag: string;
  /** How messages name the model's worker: "the Coqui worker", "the Whisper worker". */
  name: string;
  /** The reason given when Python is not at options.python: what to install or pass instead. */
  pythonMissing: string;
  /** The status of a request caught by a worker that died before it was ever ready. */
  neverReadyStatus: 500 | 503;
  /** Signals sent, in turn, to a worker that does not leave after "quit"; the last one is awaited. */
  stopSignals: NodeJS.Signals[];
  log: (line: string) => void;
  /** Every message the worker prints on stdout, in order. */
  onMessage: (message: M) => void;
  /** A worker that had been ready died and a new one is about to be started. */
  onRestart: () => void;
  /** A worker died before it was ever ready: it would fail the same way again, so none is started. */
  onFailed: (reason: string) => void;
}

interface InFlight {
  id: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * One long-lived Python worker speaking JSON lines on stdin/stdout, one request at a time: it is started with an
 * argument array (never a shell), replaced after a death once it has been ready, and asked to quit, then signalled, on
 * shutdown. A request that the worker does not answer in time ends the worker, since Python cannot be interrupted
 * inside a model call.
 */
export class PythonWorker<M extends { type: string }> {
  private child: ChildProcessWithoutNullStreams | null = null;
  private childExited: Promise<void> = Promise.resolve();
  private args: string[] = [];
  private inFlight: InFlight | null = null;
  private nextId = 1;
  private closing = false;
  private fatalMessage: string | null = null;
  /** Number of workers started. */
  generation = 0;

  constructor(private readonly options: PythonWorkerOptions<M>) {}

  /** The current worker's process id (the benches read its CPU time and memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Starts a worker with these arguments after the script's; a replacement after a death gets the same ones. */
  start(args: string[]): void {
    this.args = args;
    this.generation++;
    this.fatalMessage = null;
    const { options } = this;
    const child = spawn(options.python, ['-u', options.script, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, PYTHONUNBUFFERED: '1' },
    });
    this.child = child;
    // Writing to a worker that just died raises EPIPE here; the exit handler already reports that death.
    child.stdin.on('error', () => {});
    let wasReady = false;
    this.childExited = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });

    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: M;
      try {
        message = JSON.parse(line) as M;
      } catch {
        options.log(`[${options.tag}] ${line}`);
        return;
      }
      if (message.type === 'ready') wasReady = true;
      if (message.type === 'fatal') this.fatalMessage = (message as { message?: string }).message ?? null;
      options.onMessage(message);
    });
    createInterface({ input: child.stderr }).on('line', (line) => options.log(`[${options.tag} worker] ${line}`));

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      const reason =
        error.code === 'ENOENT'
          ? options.pythonMissing
          : `could not start ${options.name} with ${options.python}: ${error.message}`;
      this.onGone(reason, false);
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.onGone(this.fatalMessage ?? `${options.name} stopped unexpectedly (${how})`, wasReady);
    });
  }

  /**
   * Writes one request (its id added) and resolves with what answer() is given for that id. Past timeoutMs the
   * request fails with onTimeout's error (which may also mark the engine as loading) and the worker is killed; its
   * exit starts a fresh one.
   */
  request<T>(payload: Record<string, unknown>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    const child = this.child;
    if (!child) throw new ApiError(503, 'engine_error', `${this.options.name} is not running`);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.inFlight?.id !== id) return;
        this.inFlight = null;
        reject(onTimeout());
        child.kill('SIGKILL');
      }, timeoutMs);
      this.inFlight = {
        id,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      child.stdin.write(JSON.stringify({ ...payload, id }) + '\n');
    });
  }

  /** Settles the request with this id, if it is still waiting (a late answer after a timeout is dropped). */
  answer(id: number | null, outcome: { value: unknown } | { error: Error }): void {
    const inFlight = this.inFlight;
    if (!inFlight || inFlight.id !== id) return;
    this.inFlight = null;
    if ('error' in outcome) inFlight.reject(outcome.error);
    else inFlight.resolve(outcome.value);
  }

  /** Asks the worker to quit, then sends options.stopSignals in turn until it has gone. */
  async close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      child.stdin.end(JSON.stringify({ op: 'quit' }) + '\n');
    } catch {
      // The pipe may already be gone; the signals below still end the process.
    }
    const exited = this.childExited;
    if (await settlesWithin(exited, QUIT_GRACE_MS)) return;
    const signals = this.options.stopSignals;
    for (const [index, signal] of signals.entries()) {
      child.kill(signal);
      if (index === signals.length - 1) await exited;
      else if (await settlesWithin(exited, SIGNAL_GRACE_MS)) return;
    }
  }

  private onGone(reason: string, wasReady: boolean): void {
    const { options } = this;
    const inFlight = this.inFlight;
    this.inFlight = null;
    this.child = null;
    if (this.closing) {
      inFlight?.reject(new ApiError(503, 'server_error', 'the companion is shutting down'));
      return;
    }
    if (wasReady) {
      inFlight?.reject(new ApiError(500, 'engine_error', `${reason}; a new worker is being started`));
      options.log(`[${options.tag}] ${reason}; starting a new worker`);
      options.onRestart();
      this.start(this.args);
      return;
    }
    inFlight?.reject(new ApiError(options.neverReadyStatus, 'engine_error', reason));
    options.onFailed(reason);
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
