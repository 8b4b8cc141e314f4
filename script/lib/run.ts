import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin, then stdin is closed (text for espeak-ng goes here, never in argv). */
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Kill the child if it runs longer than this. */
  timeoutMs?: number;
}

/**
 * Runs a program with an argument array (never through a shell, so no text is ever interpreted
 * as shell syntax) and resolves with its output; rejects with the program's stderr on failure.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new Error(`${command} is not installed (spawn ${command} ENOENT)`));
      } else {
        reject(error);
      }
    });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) {
        resolve({ stdout: Buffer.concat(out), stderr });
      } else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new Error(`${command} ${how}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      }
    });
    // A child that exits before reading stdin would otherwise crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** True when `command` is an executable on PATH (used to pick between tool generations). */
export async function commandExists(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      await access(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
