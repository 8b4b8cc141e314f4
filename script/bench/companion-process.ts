import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The companion as a learner starts it: its own process (`npm run companion`), so "a fresh start"
 * means a new process with nothing loaded, not a new server in a warm Node. `restart` stops it and
 * starts it again on the same port, so the extension's settings stay valid.
 */
export interface CompanionProcess {
  url: string;
  port: number;
  /** When the process printed its "listening" line, on the bench's clock (performance.timeOrigin + now()). */
  readyAt: number;
  /** The process started (tsx's launcher, whose child runs the server); it changes on restart. */
  readonly pid: number | undefined;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const LISTENING = /AITalk companion listening on (http:\/\/127\.0\.0\.1:(\d+))/;

function start(
  port: number,
  engine: string,
  log: (line: string) => void,
  extraArgs: readonly string[],
): Promise<{ child: ChildProcess; url: string; port: number; readyAt: number }> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'companion-server/src/main.ts'),
      '--port',
      String(port),
      '--engine',
      engine,
      '--cache-max-mb',
      '0',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the companion did not start within 60 s; it said:\n${buffered.slice(-2000)}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      buffered += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      const found = LISTENING.exec(buffered);
      if (found) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) =>
          more
            .toString()
            .split('\n')
            .filter((l) => l.trim())
            .forEach(log),
        );
        resolve({ child, url: found[1]!, port: Number(found[2]), readyAt: performance.timeOrigin + performance.now() });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      log(chunk.toString().trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the companion exited (code ${code}) before listening:\n${buffered.slice(-2000)}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `extraArgs` go to the companion after the engine, e.g. ['--voice-file', PATH] for a neural voice. */
export async function startCompanionProcess(
  engine: string,
  log: (line: string) => void,
  extraArgs: readonly string[] = [],
): Promise<CompanionProcess> {
  let current = await start(0, engine, log, extraArgs);
  const handle: CompanionProcess = {
    url: current.url,
    port: current.port,
    readyAt: current.readyAt,
    get pid() {
      return current.child.pid;
    },
    async restart() {
      await stop(current.child);
      current = await start(handle.port, engine, log, extraArgs);
      handle.readyAt = current.readyAt;
    },
    close: () => stop(current.child),
  };
  return handle;
}
