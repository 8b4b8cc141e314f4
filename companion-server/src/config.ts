import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';
import { DEFAULT_COMPANION_PORT } from '../../common/companion-port.ts';
import { defaultCoquiPython } from './python-env.ts';

export const ENGINE_NAMES = ['espeak', 'coqui', 'upstream'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export type Device = 'cpu' | 'cuda';

export interface CompanionConfig {
  port: number;
  host: string;
  engine: EngineName;
  model: string;
  device: Device;
  python: string;
  upstreamUrl: string | undefined;
  upstreamKey: string | undefined;
  token: string | undefined;
  /** Extension IDs allowed as Origin besides AITalk's own development id (always allowed). */
  allowOrigins: string[];
  cacheDir: string;
  /** 0 turns the cache off. */
  cacheMaxMb: number;
  maxChars: number;
  /** Requests allowed to wait for the engine before new ones get 503. */
  maxQueue: number;
  /** Longest one sentence may take to synthesise before the request fails with 504. */
  timeoutMs: number;
}

/** The one line a misconfigured start prints before exiting with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_MODELS: Record<EngineName, string> = {
  espeak: 'espeak-ng',
  coqui: 'tts_models/en/ljspeech/tacotron2-DCA',
  upstream: 'tts-1',
};

const MODEL_ALIASES: Record<string, string> = {
  xtts_v2: 'tts_models/multilingual/multi-dataset/xtts_v2',
  xtts: 'tts_models/multilingual/multi-dataset/xtts_v2',
  jenny: 'tts_models/en/jenny/jenny',
  vctk: 'tts_models/en/vctk/vits',
  tacotron2: 'tts_models/en/ljspeech/tacotron2-DCA',
};

export const USAGE = `Usage: npm run companion -- [options]

AITalk companion: an OpenAI-compatible speech server (POST /v1/audio/speech) on the loopback interface.

Options:
  --port N             port to listen on (default ${DEFAULT_COMPANION_PORT}; 0 picks a free one)
  --host ADDR          address to bind (default 127.0.0.1; anything else is reachable from other machines)
  --engine NAME        espeak (embedded, default) | coqui (Python worker) | upstream (forwards)
  --model NAME         coqui: a Coqui model name (default ${DEFAULT_MODELS.coqui});
                       upstream: the model sent upstream (default ${DEFAULT_MODELS.upstream})
  --device cpu|cuda    coqui: where the model runs (default cpu)
  --python PATH        coqui: the Python that has coqui-tts (env AITALK_PYTHON; default: the environment
                       npm run setup:coqui made, else python3)
  --upstream-url URL   upstream: base URL of a server with /v1/audio/speech
  --upstream-key KEY   upstream: bearer key sent upstream (env AITALK_UPSTREAM_KEY)
  --token TOKEN        require "Authorization: Bearer TOKEN" on every request (env AITALK_TOKEN)
  --allow-origin ID    also allow this extension ID (repeatable); AITalk's own id (${AITALK_EXTENSION_ID}) is
                       always allowed, other extensions and web pages get 403, local programs (no Origin) are served
  --cache-dir DIR      where synthesised audio is cached (default ${defaultCacheDir(process.env)})
  --cache-max-mb N     cache size bound in MB, least recently used evicted first (default 256; 0 disables)
  --max-chars N        longest input accepted, in characters (default 4000)
  --max-queue N        requests allowed to wait for the engine before 503 (default 32)
  --timeout SECONDS    longest one sentence may take to synthesise (default 120)
  --help               show this help
`;

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'companion');
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`--${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function normaliseOriginId(raw: string): string {
  const match = /^(?:(?:chrome|moz)-extension:\/\/)?([a-z0-9-]+)\/?$/i.exec(raw.trim());
  if (!match?.[1]) {
    throw new ConfigError(
      `--allow-origin takes an extension ID or origin (chrome-extension://ID or moz-extension://UUID), got "${raw}"`,
    );
  }
  return match[1].toLowerCase();
}

function normaliseUpstreamUrl(raw: string | undefined, engine: EngineName): string | undefined {
  if (raw === undefined) {
    if (engine === 'upstream')
      throw new ConfigError('--engine upstream needs --upstream-url URL (a server with /v1/audio/speech)');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`--upstream-url is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--upstream-url must be http:// or https://, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

function resolveModel(engine: EngineName, raw: string | undefined, env: NodeJS.ProcessEnv): string {
  if (engine === 'espeak') {
    if (raw !== undefined && raw !== DEFAULT_MODELS.espeak) {
      throw new ConfigError(`--model does not apply to the espeak engine (its voices are listed at GET /voices)`);
    }
    return DEFAULT_MODELS.espeak;
  }
  const model = raw === undefined ? DEFAULT_MODELS[engine] : (MODEL_ALIASES[raw] ?? raw);
  if (!/^[\w.\-/:]{1,200}$/.test(model)) throw new ConfigError(`--model has unexpected characters: "${model}"`);
  if (engine === 'coqui' && model.includes('xtts') && env.COQUI_TOS_AGREED !== '1') {
    // Coqui asks for the licence on stdin otherwise, which would hang the worker's JSON channel.
    throw new ConfigError(
      `${model} is under the Coqui Public Model License: set COQUI_TOS_AGREED=1 to accept it (https://coqui.ai/cpml)`,
    );
  }
  return model;
}

/** Everything needed to run, with the documented defaults; tests and the bench build configs with this too. */
export function defaultConfig(env: NodeJS.ProcessEnv = process.env): CompanionConfig {
  return {
    port: DEFAULT_COMPANION_PORT,
    host: '127.0.0.1',
    engine: 'espeak',
    model: DEFAULT_MODELS.espeak,
    device: 'cpu',
    python: defaultCoquiPython(env),
    upstreamUrl: undefined,
    upstreamKey: env.AITALK_UPSTREAM_KEY || undefined,
    token: env.AITALK_TOKEN || undefined,
    allowOrigins: [],
    cacheDir: defaultCacheDir(env),
    cacheMaxMb: 256,
    maxChars: 4000,
    maxQueue: 32,
    timeoutMs: 120_000,
  };
}

export type ParsedArgs = { kind: 'help' } | { kind: 'run'; config: CompanionConfig; warnings: string[] };

/** Parses and validates the command line once; any problem is a ConfigError whose message is one line. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        engine: { type: 'string' },
        model: { type: 'string' },
        device: { type: 'string' },
        python: { type: 'string' },
        'upstream-url': { type: 'string' },
        'upstream-key': { type: 'string' },
        token: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'cache-dir': { type: 'string' },
        'cache-max-mb': { type: 'string' },
        'max-chars': { type: 'string' },
        'max-queue': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`${message} (see --help)`);
  }
  if (values.help) return { kind: 'help' };

  const defaults = defaultConfig(env);
  const engine = values.engine ?? defaults.engine;
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new ConfigError(`--engine must be one of ${ENGINE_NAMES.join(', ')}, got "${engine}"`);
  }
  const engineName = engine as EngineName;
  const device = values.device ?? defaults.device;
  if (device !== 'cpu' && device !== 'cuda') throw new ConfigError(`--device must be cpu or cuda, got "${device}"`);

  const host = values.host ?? defaults.host;
  if (!host.trim()) throw new ConfigError('--host must not be empty');
  const token = values.token ?? defaults.token;
  if (token !== undefined && !/^[\x21-\x7e]{8,}$/.test(token)) {
    throw new ConfigError('--token must be at least 8 printable characters without spaces');
  }

  const config: CompanionConfig = {
    port: integer('port', values.port, defaults.port, 0, 65535),
    host,
    engine: engineName,
    model: resolveModel(engineName, values.model, env),
    device,
    python: values.python ?? defaults.python,
    upstreamUrl: normaliseUpstreamUrl(values['upstream-url'], engineName),
    upstreamKey: values['upstream-key'] ?? defaults.upstreamKey,
    token,
    allowOrigins: (values['allow-origin'] ?? []).map(normaliseOriginId),
    cacheDir: path.resolve(values['cache-dir'] ?? defaults.cacheDir),
    cacheMaxMb: integer('cache-max-mb', values['cache-max-mb'], defaults.cacheMaxMb, 0, 1_000_000),
    maxChars: integer('max-chars', values['max-chars'], defaults.maxChars, 1, 100_000),
    maxQueue: integer('max-queue', values['max-queue'], defaults.maxQueue, 1, 10_000),
    timeoutMs: integer('timeout', values.timeout, defaults.timeoutMs / 1000, 1, 3600) * 1000,
  };

  const warnings: string[] = [];
  if (!isLoopbackHost(host)) {
    warnings.push(
      `--host ${host} is not a loopback address: other machines can reach the companion` +
        (config.token ? '' : ' (consider --token)'),
    );
  }
  if (config.engine !== 'upstream' && values['upstream-url'] !== undefined) {
    warnings.push(`--upstream-url is ignored by the ${config.engine} engine`);
  }
  return { kind: 'run', config, warnings };
}
