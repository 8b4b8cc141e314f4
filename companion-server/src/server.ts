import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.ts';
import { AudioCache } from './cache.ts';
import { DEFAULT_MODELS, defaultConfig, type CompanionConfig } from './config.ts';
import { createEngine, type EngineContext } from './engines/index.ts';
import type { TtsEngine } from './engines/types.ts';
import { SttEngine, type SttEngineOptions } from './stt/engine.ts';

export interface StartOptions extends Partial<CompanionConfig> {
  /** Extra environment for the engine's child processes. */
  env?: NodeJS.ProcessEnv;
  /** Where engine and request logs go (default console.info). */
  log?: (line: string) => void;
  /** How long close() lets in-flight responses finish before cutting them off. */
  shutdownGraceMs?: number;
  /** Tests: the neural engines to build, and shorter download retries. */
  neuralEngines?: EngineContext['neuralEngines'];
  voiceFetch?: EngineContext['voiceFetch'];
  /** Tests: shorter Whisper model download retries. */
  sttFetch?: SttEngineOptions['fetch'];
}

export interface CompanionHandle {
  url: string;
  port: number;
  config: CompanionConfig;
  engine: TtsEngine;
  /** Transcription (--stt), or null when off; its `ready` rejects with why it never will be. */
  stt: SttEngine | null;
  /** Settles once the engine has checked it can run at all (moments after start); rejects with why not. */
  started: Promise<void>;
  /** Settles when the engine can speak; rejects with the reason it never will. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Time to receive a whole request; synthesis time is bounded separately, per sentence. */
const REQUEST_RECEIVE_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 3_000;
/** Whisper tiny.en takes about 0.2 s per second of audio here: 300 s covers a 25 MB upload of speech. */
const STT_MIN_TIMEOUT_MS = 300_000;

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/**
 * Host-header names to accept besides localhost, 127.0.0.1 and [::1]: the --host address as typed, which may be
 * another loopback address (127.0.0.2) the fixed names do not cover.
 */
function extraHostsFor(host: string): string[] {
  if (isWildcard(host)) {
    return Object.values(os.networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined)
      .map((entry) => bracket(entry.address).toLowerCase());
  }
  return [bracket(host).toLowerCase()];
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is already in use (is another companion running?): pass --port N`)
          : error.code === 'EADDRNOTAVAIL'
            ? new Error(`cannot bind ${host}: this machine has no such address`)
            : error,
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Starts the companion in this process; port 0 picks a free port (tests, the bench, the e2e suite). Resolves
 * once it listens and the engine has started; `ready` tells when it can speak (a Coqui model may take minutes).
 */
export async function startCompanion(options: StartOptions = {}): Promise<CompanionHandle> {
  const {
    env,
    log,
    shutdownGraceMs = DEFAULT_SHUTDOWN_GRACE_MS,
    neuralEngines,
    voiceFetch,
    sttFetch,
    ...overrides
  } = options;
  const config: CompanionConfig = { ...defaultConfig(process.env), ...overrides };
  if (overrides.model === undefined) config.model = DEFAULT_MODELS[config.engine];

  const cache = config.cacheMaxMb > 0 ? await AudioCache.open(config.cacheDir, config.cacheMaxMb * 1024 * 1024) : null;
  const engine = createEngine({ config, env, log, neuralEngines, voiceFetch });
  const stt = config.stt
    ? new SttEngine({
        model: config.sttModel,
        modelsDir: config.sttModelsDir,
        mirror: config.voiceMirror,
        python: config.sttPython,
        maxQueue: config.maxQueue,
        // A long upload takes far longer to transcribe than one sentence to speak.
        timeoutMs: Math.max(config.timeoutMs, STT_MIN_TIMEOUT_MS),
        env,
        log,
        fetch: sttFetch,
      })
    : null;
  const extraHosts = extraHostsFor(config.host);
  const app = createApp({
    engine,
    cache,
    maxChars: config.maxChars,
    token: config.token,
    allowOrigins: config.allowOrigins,
    extraHosts,
    log,
    stt,
    sttMaxBytes: config.sttMaxMb * 1024 * 1024,
  });

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_RECEIVE_TIMEOUT_MS;
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await Promise.all([engine.close(), stt?.close()]);
    throw error;
  }
  // A browser writes the canonical address in Host ("127.2" and "127.0.0.02" become "127.0.0.2"), and a name the
  // learner bound (one from /etc/hosts) may be browsed to by its address, so the address actually bound is
  // accepted too. The guard reads this same list on every request.
  const bound = bracket((server.address() as AddressInfo).address).toLowerCase();
  if (!isWildcard(config.host) && !extraHosts.includes(bound)) extraHosts.push(bound);

  // espeak can speak by then (it loads in well under a second) and coqui has found Python and coqui-tts, so
  // callers that skip `ready` rarely meet a 503. A failure is left for `started`/`ready` to report.
  await engine.started.catch(() => {});

  const port = (server.address() as AddressInfo).port;
  const urlHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : bracket(config.host);
  let closing: Promise<void> | null = null;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    config,
    engine,
    stt,
    started: engine.started,
    ready: engine.ready,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, shutdownGraceMs);
        });
        await Promise.race([closed, graceOver]);
        clearTimeout(timer);
        // Whatever is still streaming after the grace period is cut off; its synthesis is cancelled with it.
        server.closeAllConnections();
        await closed;
        await Promise.all([engine.close(), stt?.close()]);
      })();
      return closing;
    },
  };
}
