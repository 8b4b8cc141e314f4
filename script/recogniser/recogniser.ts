import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STAMP, recogniserVenvDir, venvPython } from './env.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'transcribe.py');
const SETUP_HINT = 'run npm run setup:recogniser';
/**
 * Beam 5 against greedy decoding, eSpeak speaking the 30 teacher sentences (npm run bench:voices -- --beam-size N):
 * 5.4 % against 8.7 % word errors, for 0.43 against 0.23 s of decoding per second of speech.
 */
export const DEFAULT_BEAM_SIZE = 5;

export interface RecognisedWord {
  word: string;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  probability: number;
}

export interface Transcript {
  text: string;
  words: RecognisedWord[];
  /** How long decoding took, in seconds. */
  seconds: number;
  /** The audio's length, in seconds. */
  audioSeconds: number;
}

export interface Recogniser {
  /** Seconds the model took to load. */
  readonly loadSeconds: number;
  readonly beamSize: number;
  /** What was said in a WAV file (a path) or WAV bytes; one at a time or many queued, answered in order. */
  transcribe(wav: string | Buffer): Promise<Transcript>;
  close(): Promise<void>;
}

export interface RecogniserOptions {
  /** DEFAULT_BEAM_SIZE unless given (script/bench-voices.ts --beam-size). */
  beamSize?: number;
  /** CPU threads for decoding (this machine has two, shared with the voice being measured). */
  threads?: number;
  /** The environment's Python (default: the one `npm run setup:recogniser` made). */
  python?: string;
}

/** Where the recogniser's environment is not set up: the message names the command that fixes it. */
export class RecogniserSetupError extends Error {}

/**
 * Starts Whisper tiny.en (faster-whisper, script/recogniser/transcribe.py) as one long-lived Python process; it is
 * loaded once, then each transcribe() costs only the decoding (about 0.4 s per second of speech here, beam 5).
 */
export async function startRecogniser(options: RecogniserOptions = {}): Promise<Recogniser> {
  const beamSize = options.beamSize ?? DEFAULT_BEAM_SIZE;
  const venv = recogniserVenvDir();
  const python = options.python ?? venvPython(venv);
  if (!options.python && !(existsSync(python) && existsSync(path.join(venv, STAMP)))) {
    throw new RecogniserSetupError(`The speech recogniser is not set up in ${venv}: ${SETUP_HINT}.`);
  }
  const child: ChildProcessWithoutNullStreams = spawn(
    python,
    [SCRIPT, '--beam-size', String(beamSize), '--threads', String(options.threads ?? 1)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  const pending = new Map<number, { resolve: (t: Transcript) => void; reject: (e: Error) => void }>();
  let exited: Error | null = null;
  let nextId = 1;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-recogniser-'));

  const ready = new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(
        new RecogniserSetupError(
          `The speech recogniser exited (code ${code}) while loading: ${lastLines(stderr)}; ${SETUP_HINT} -- --force.`,
        ),
      );
    child.once('exit', onExit);
    child.once('error', (error) =>
      reject(new RecogniserSetupError(`Could not start ${python}: ${error.message}; ${SETUP_HINT}.`)),
    );
    lines.once('line', (line) => {
      child.off('exit', onExit);
      const first = parseLine(line);
      if (first?.ready === true) resolve(Number(first.loadSeconds));
      else
        reject(
          new RecogniserSetupError(
            `The speech recogniser could not load Whisper tiny.en (${String(first?.error ?? line)}); ${SETUP_HINT} -- --force.`,
          ),
        );
    });
  });
  let loadSeconds: number;
  try {
    loadSeconds = await ready;
  } catch (error) {
    child.kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  lines.on('line', (line) => {
    const answer = parseLine(line);
    const id = typeof answer?.id === 'number' ? answer.id : undefined;
    const waiter = id === undefined ? undefined : pending.get(id);
    if (!answer || !waiter) return;
    pending.delete(id!);
    if (typeof answer.error === 'string') waiter.reject(new Error(`The speech recogniser failed: ${answer.error}`));
    else waiter.resolve(answer as unknown as Transcript);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(
      `The speech recogniser stopped (${signal ?? `code ${code}`}): ${lastLines(stderr) || 'no message'}. ${SETUP_HINT} -- --force if it keeps failing.`,
    );
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });

  return {
    loadSeconds,
    beamSize,
    async transcribe(wav) {
      if (exited) throw exited;
      const id = nextId++;
      let file = wav;
      if (typeof file !== 'string') {
        file = path.join(dir, `${id}.wav`);
        await writeFile(file, wav);
      }
      const wavPath = file;
      try {
        return await new Promise<Transcript>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          child.stdin.write(`${JSON.stringify({ id, wav: path.resolve(wavPath) })}\n`);
        });
      } finally {
        if (typeof wav !== 'string') await rm(wavPath, { force: true });
      }
    },
    async close() {
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.stdin.end();
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
