import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_COQUI_PATH, tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'companion-server', 'src', 'main.ts');

interface Cli {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
}

const children: ChildProcessWithoutNullStreams[] = [];
let work: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  work = await tempDir('aitalk-companion-cli-');
});

afterEach(() => {
  // tsx runs the companion in a child node process: end the whole group, or a failed test leaves it running.
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

afterAll(async () => {
  await work?.remove();
});

/** The companion as a learner starts it: `tsx companion-server/src/main.ts ARGS`, in its own process. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(TSX, [MAIN, ...args], {
    cwd: ROOT,
    // The default engine fetches a 63 MB voice: tests point it at a closed port unless they serve one themselves.
    env: { ...process.env, AITALK_VOICE_MIRROR: 'http://127.0.0.1:9', ...env },
    stdio: 'pipe',
    detached: true,
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const started = Date.now();
  let signalledAt = started;
  const originalKill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    signalledAt = Date.now();
    return originalKill(signal);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, afterMs: Date.now() - signalledAt })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function listeningUrl(cli: Cli, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /AITalk companion listening on (http:\/\/\S+)/.exec(cli.stdout());
    if (match?.[1]) return match[1];
    if (cli.child.exitCode !== null) throw new Error(`exited early: ${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no listening line; stdout: ${cli.stdout()} stderr: ${cli.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the companion command line', () => {
  it.each([
    [['--engine', 'nope'], /--engine must be one of piper, kokoro, espeak, coqui, upstream/],
    [['--port', 'eighty'], /--port must be a whole number/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--engine', 'upstream'], /needs --upstream-url/],
    [['--device', 'tpu'], /--device must be cpu or cuda/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const cli = runCli(args);
    const { code } = await cli.exited;
    expect(code).toBe(2);
    const lines = cli.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('exits at once with one line saying how to install coqui-tts when it is missing', async () => {
    // python3 here has no coqui-tts (only npm run setup:coqui's environment has it).
    const cli = runCli(['--engine', 'coqui', '--port', '0', '--cache-max-mb', '0'], {
      PYTHONPATH: '',
      AITALK_PYTHON: 'python3',
    });
    const { code, afterMs } = await cli.exited;
    expect(code).toBe(2);
    expect(afterMs).toBeLessThan(10_000);
    expect(cli.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(/coqui-tts is not installed.*npm run setup:coqui/),
    ]);
    expect(cli.stdout()).not.toMatch(/listening/);
  });

  it('says the port is taken instead of crashing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = runCli(['--port', String(port), '--cache-max-mb', '0']);
      const { code } = await cli.exited;
      expect(code).toBe(2);
      expect(cli.stderr().trim()).toMatch(new RegExp(`port ${port} .*already in use.*--port N`));
    } finally {
      blocker.close();
    }
  });

  it('prints the natural voice fetch in the terminal and, without a network, says why and keeps running', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const voicesDir = path.join(work.dir, 'voices');
    const cli = runCli(['--port', '0', '--cache-max-mb', '0', '--voices-dir', voicesDir], {
      AITALK_VOICE_MIRROR: `http://127.0.0.1:${port}`,
    });
    const url = await listeningUrl(cli);
    expect(cli.stdout()).toContain(`engine piper (en_US-joe-medium) (voices in ${voicesDir}; eSpeak speaks until`);
    const deadline = Date.now() + 25_000;
    while (!/natural voice is unavailable/.test(cli.stdout()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(cli.stdout()).toContain('Fetching the natural voice en_US-joe-medium: 0 % (0 of 63 MB)');
    expect(cli.stdout()).toMatch(
      /the natural voice is unavailable: cannot fetch the natural voice en_US-joe-medium from 127\.0\.0\.1:\d+ \(ECONNREFUSED\): no network\? start with --engine espeak, or --voice-file PATH .*; eSpeak keeps speaking/,
    );
    const speech = await fetch(`${url}/v1/audio/speech`, {
      method: 'POST',
      body: JSON.stringify({ input: 'Still here.', response_format: 'wav' }),
    });
    expect(speech.status).toBe(200);
    expect(cli.child.exitCode).toBeNull();
  }, 45_000);

  it('prints help and exits 0', async () => {
    const cli = runCli(['--help']);
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).toMatch(/--engine NAME/);
    expect(cli.stdout()).toMatch(/--allow-origin ID/);
  });

  it('speaks, then stops on SIGINT within a few seconds', async () => {
    const cli = runCli(['--port', '0', '--cache-max-mb', '0']);
    const url = await listeningUrl(cli);
    const response = await fetch(`${url}/v1/audio/speech`, {
      method: 'POST',
      body: JSON.stringify({ input: 'Hello.', response_format: 'wav' }),
    });
    expect(response.status).toBe(200);
    cli.child.kill('SIGINT');
    const { code, afterMs } = await cli.exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(5000);
  });

  it('on SIGTERM finishes the request in flight, refuses new connections, ends the worker and exits', async () => {
    const logFile = path.join(work.dir, 'shutdown.jsonl');
    const cli = runCli(
      ['--engine', 'coqui', '--model', 'tts_models/en/fake/ljspeech', '--port', '0', '--cache-max-mb', '0'],
      {
        PYTHONPATH: FAKE_COQUI_PATH,
        AITALK_PYTHON: 'python3',
        FAKE_COQUI_LOG: logFile,
        FAKE_COQUI_SLOW_SECONDS: '1.5',
      },
    );
    const url = await listeningUrl(cli);
    for (let i = 0; i < 200; i++) {
      const health = (await (await fetch(`${url}/health`)).json()) as { ready: boolean };
      if (health.ready) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const inFlight = fetch(`${url}/v1/audio/speech`, {
      method: 'POST',
      body: JSON.stringify({ input: 'SLOW goodbye.' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    cli.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(fetch(`${url}/health`)).rejects.toThrow();

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const { code, afterMs } = await cli.exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(6000);

    const workerPid = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event: string; pid: number })
      .find((line) => line.event === 'load')?.pid;
    expect(workerPid).toEqual(expect.any(Number));
    expect(isAlive(workerPid!)).toBe(false);
  });
});
