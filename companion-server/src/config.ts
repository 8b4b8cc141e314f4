import path from 'node:path';
import { parseArgs } from 'node:util';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';
import { DEFAULT_COMPANION_PORT } from '../../common/companion-port.ts';
import { ConfigError, cacheFolder, httpUrl, integer } from './config-values.ts';
import { DEFAULT_MODELS, resolveMirror, resolveModel, resolveVoiceFile } from './engine-flags.ts';
import { defaultCoquiPython } from './python-env.ts';
import { STT_OPTIONS, defaultSttConfig, sttConfig, sttUsage, sttWarning, type SttConfig } from './stt/flags.ts';

export { ConfigError } from './config-values.ts';
export { DEFAULT_MODELS } from './engine-flags.ts';

export const ENGINE_NAMES = ['piper', 'kokoro', 'espeak', 'coqui', 'upstream'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export type Device = 'cpu' | 'cuda';

export interface CompanionConfig extends SttConfig {
  port: number;
  host: string;
  engine: EngineName;
  model: string;
  device: Device;
  python: string;
  upstreamUrl: string | undefined;
  upstreamKey: string | undefined;
  /** piper/kokoro: a voice on disk to load instead of fetching the default one. */
  voiceFile: string | undefined;
  /** Where fetched voices are kept (the voice store). */
  voicesDir: string;
  /** Base URL that replaces the official hosts of the voice downloads (env AITALK_VOICE_MIRROR; tests). */
  voiceMirror: string | undefined;
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

/**
 * What `npm run companion` and `npm start` speak with when no --engine is given: a natural voice, fetched on first
 * use while eSpeak speaks. Programmatic starts (startCompanion: tests, benches, the e2e suite) default to espeak
 * instead (defaultConfig), so they never download 63 MB into the learner's cache or change voice mid-run.
 */
export const DEFAULT_ENGINE: EngineName = 'piper';

export const USAGE = `Usage: npm run companion -- [options]

AITalk companion: an OpenAI-compatible speech server (POST /v1/audio/speech) on the loopback interface.

Options:
  --port N             port to listen on (default ${DEFAULT_COMPANION_PORT}; 0 picks a free one)
  --host ADDR          address to bind (default 127.0.0.1; anything else is reachable from other machines)
  --engine NAME        piper (default: a natural voice, en_US-joe-medium, 63 MB fetched on first use into --voices-dir
                       while eSpeak speaks) | kokoro (natural, higher quality, slower; 107 MB fetched) |
                       espeak (embedded eSpeak NG only: no download, works offline) | coqui (Python worker) |
                       upstream (forwards)
  --voice-file PATH    piper/kokoro: load this voice from disk instead of fetching (env AITALK_VOICE_FILE): a Piper
                       .onnx with its .onnx.json beside it, or a Kokoro .onnx with its voices/ folder beside it
  --voices-dir DIR     where fetched voices are kept (default ${cacheFolder(process.env, 'voices')})
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
  --cache-dir DIR      where synthesised audio is cached (default ${cacheFolder(process.env, 'companion')})
  --cache-max-mb N     cache size bound in MB, least recently used evicted first (default 256; 0 disables)
  --max-chars N        longest input accepted, in characters (default 4000)
  --max-queue N        requests allowed to wait for the engine before 503 (default 32)
  --timeout SECONDS    longest one sentence may take to synthesise (default 120)
${sttUsage(process.env)}  --help               show this help
`;

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
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
  return httpUrl(raw, '--upstream-url').toString().replace(/\/+$/, '');
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
    voiceFile: undefined,
    voicesDir: cacheFolder(env, 'voices'),
    voiceMirror: resolveMirror(env.AITALK_VOICE_MIRROR),
    token: env.AITALK_TOKEN || undefined,
    allowOrigins: [],
    cacheDir: cacheFolder(env, 'companion'),
    cacheMaxMb: 256,
    maxChars: 4000,
    maxQueue: 32,
    timeoutMs: 120_000,
    ...defaultSttConfig(env),
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
        'voice-file': { type: 'string' },
        'voices-dir': { type: 'string' },
        token: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'cache-dir': { type: 'string' },
        'cache-max-mb': { type: 'string' },
        'max-chars': { type: 'string' },
        'max-queue': { type: 'string' },
        timeout: { type: 'string' },
        ...STT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`${message} (see --help)`);
  }
  if (values.help) return { kind: 'help' };

  const defaults = defaultConfig(env);
  const engine = values.engine ?? DEFAULT_ENGINE;
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new ConfigError(`--engine must be one of ${ENGINE_NAMES.join(', ')}, got "${engine}"`);
  }
  // The environment's voice file is for the natural engines; another --engine named on the command line wins.
  const envVoiceFileIgnored =
    values['voice-file'] === undefined &&
    !!env.AITALK_VOICE_FILE &&
    values.engine !== undefined &&
    engine !== 'piper' &&
    engine !== 'kokoro';
  const voice = resolveVoiceFile(
    values['voice-file'] ?? (envVoiceFileIgnored ? undefined : env.AITALK_VOICE_FILE),
    engine as EngineName,
    values.engine !== undefined,
  );
  const engineName = voice.engine;
  const model = resolveModel(engineName, values.model, env);
  const voicesDirRaw = values['voices-dir'];
  if (voicesDirRaw !== undefined && voicesDirRaw.trim() === '') throw new ConfigError('--voices-dir must not be empty');
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
    model: voice.voiceFile ? path.basename(voice.voiceFile, '.onnx') : model,
    device,
    python: values.python ?? defaults.python,
    upstreamUrl: normaliseUpstreamUrl(values['upstream-url'], engineName),
    upstreamKey: values['upstream-key'] ?? defaults.upstreamKey,
    voiceFile: voice.voiceFile,
    voicesDir: path.resolve(voicesDirRaw ?? defaults.voicesDir),
    voiceMirror: defaults.voiceMirror,
    token,
    allowOrigins: (values['allow-origin'] ?? []).map(normaliseOriginId),
    cacheDir: path.resolve(values['cache-dir'] ?? defaults.cacheDir),
    cacheMaxMb: integer('cache-max-mb', values['cache-max-mb'], defaults.cacheMaxMb, 0, 1_000_000),
    maxChars: integer('max-chars', values['max-chars'], defaults.maxChars, 1, 100_000),
    maxQueue: integer('max-queue', values['max-queue'], defaults.maxQueue, 1, 10_000),
    timeoutMs: integer('timeout', values.timeout, defaults.timeoutMs / 1000, 1, 3600) * 1000,
    ...sttConfig(values, defaults),
  };

  const warnings: string[] = [];
  if (!isLoopbackHost(host)) {
    warnings.push(
      `--host ${host} is not a loopback address: other machines can reach the companion` +
        (config.token ? '' : ' (consider --token)'),
    );
  }
  const sttIgnored = sttWarning(values);
  if (sttIgnored) warnings.push(sttIgnored);
  if (envVoiceFileIgnored) warnings.push(`AITALK_VOICE_FILE is ignored by the ${config.engine} engine`);
  if (config.engine !== 'upstream' && values['upstream-url'] !== undefined) {
    warnings.push(`--upstream-url is ignored by the ${config.engine} engine`);
  }
  return { kind: 'run', config, warnings };
}
