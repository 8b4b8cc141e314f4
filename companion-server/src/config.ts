import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AITALK_EXTENSION_ID } from '../../common/extension-id.ts';
import { DEFAULT_COMPANION_PORT } from '../../common/companion-port.ts';
import { defaultCoquiPython, defaultSttPython } from './python-env.ts';
import { STT_MODEL_NAMES, UNCHECKED_MODELS, isSttModelName } from './stt/models.ts';
import { DEFAULT_STT_MAX_MB } from './stt/route.ts';

export const ENGINE_NAMES = ['piper', 'kokoro', 'espeak', 'coqui', 'upstream'] as const;
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
  /** POST /v1/audio/transcriptions is served (--stt); off by default so the companion stays light. */
  stt: boolean;
  /** tiny.en (fetched on first use) or a faster-whisper model folder. */
  sttModel: string;
  /** Where official Whisper models are fetched to. */
  sttModelsDir: string;
  /** The Python that has faster-whisper. */
  sttPython: string;
  /** Largest upload, in MB. */
  sttMaxMb: number;
}

/**
 * What `npm run companion` and `npm start` speak with when no --engine is given: a natural voice, fetched on first
 * use while eSpeak speaks. Programmatic starts (startCompanion: tests, benches, the e2e suite) default to espeak
 * instead (defaultConfig), so they never download 63 MB into the learner's cache or change voice mid-run.
 */
export const DEFAULT_ENGINE: EngineName = 'piper';

/** The one line a misconfigured start prints before exiting with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_MODELS: Record<EngineName, string> = {
  piper: 'en_US-joe-medium',
  kokoro: 'kokoro-v1.0.int8',
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
  --engine NAME        piper (default: a natural voice, en_US-joe-medium, 63 MB fetched on first use into --voices-dir
                       while eSpeak speaks) | kokoro (natural, higher quality, slower; 107 MB fetched) |
                       espeak (embedded eSpeak NG only: no download, works offline) | coqui (Python worker) |
                       upstream (forwards)
  --voice-file PATH    piper/kokoro: load this voice from disk instead of fetching (env AITALK_VOICE_FILE): a Piper
                       .onnx with its .onnx.json beside it, or a Kokoro .onnx with its voices/ folder beside it
  --voices-dir DIR     where fetched voices are kept (default ${defaultVoicesDir(process.env)})
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
  --stt                also transcribe: OpenAI-compatible POST /v1/audio/transcriptions with faster-whisper
                       (after npm run setup:stt); off by default
  --stt-model NAME     tiny.en (default; 75 MB fetched on first use into --stt-models-dir) or a faster-whisper
                       model folder (model.bin, tokenizer.json, vocabulary.txt); base.en and small.en need a folder
  --stt-models-dir DIR where fetched Whisper models are kept (default ${defaultSttModelsDir(process.env)})
  --stt-python PATH    the Python that has faster-whisper (env AITALK_STT_PYTHON; default: npm run setup:stt's)
  --stt-max-mb N       largest upload to transcribe, in MB (default ${DEFAULT_STT_MAX_MB}, as OpenAI's)
  --help               show this help
`;

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'companion');
}

function defaultSttModelsDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'stt-models');
}

/** An official name AITalk can fetch and check, or a model folder that exists; anything else stops the start. */
function resolveSttModel(raw: string | undefined): string {
  if (raw === undefined || raw === 'tiny.en') return 'tiny.en';
  if (isSttModelName(raw)) {
    const repository = UNCHECKED_MODELS[raw as keyof typeof UNCHECKED_MODELS];
    throw new ConfigError(
      `--stt-model ${raw}: AITalk has no checksum recorded for it yet, so it does not fetch it; download ` +
        `${repository} (model.bin, config.json, tokenizer.json, vocabulary.txt) into a folder and pass --stt-model FOLDER`,
    );
  }
  const folder = path.resolve(raw);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(
      `--stt-model must be ${STT_MODEL_NAMES.join(', ')} or a faster-whisper model folder; ${folder} is not a folder`,
    );
  }
  return folder;
}

function defaultVoicesDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'voices');
}

/**
 * Checks a --voice-file and decides which engine it is for: the one named with --engine, else Piper when its
 * .onnx.json is beside it and Kokoro when a voices/ folder is.
 */
function resolveVoiceFile(
  raw: string | undefined,
  engine: EngineName,
  engineGiven: boolean,
): { voiceFile: string | undefined; engine: EngineName } {
  if (raw === undefined || raw === '') return { voiceFile: undefined, engine };
  if (engineGiven && engine !== 'piper' && engine !== 'kokoro') {
    throw new ConfigError(`--voice-file is for --engine piper or kokoro, not ${engine}`);
  }
  const file = path.resolve(raw);
  if (!existsSync(file)) throw new ConfigError(`--voice-file ${file} does not exist: check the path`);
  if (!statSync(file).isFile()) throw new ConfigError(`--voice-file ${file} is not a file: give the voice's .onnx`);
  if (!file.toLowerCase().endsWith('.onnx')) {
    throw new ConfigError(`--voice-file must be an .onnx voice (Piper or Kokoro), got ${file}`);
  }
  const hasConfig = existsSync(`${file}.json`);
  const voicesDir = path.join(path.dirname(file), 'voices');
  const hasVoices = existsSync(voicesDir) && statSync(voicesDir).isDirectory();
  const chosen: EngineName = engineGiven ? engine : hasConfig ? 'piper' : hasVoices ? 'kokoro' : engine;
  if (chosen === 'piper' && !hasConfig) {
    throw new ConfigError(
      `--voice-file ${file} has no ${path.basename(file)}.json beside it: put the Piper voice's config there` +
        (hasVoices ? ' (or pass --engine kokoro for a Kokoro model)' : ''),
    );
  }
  if (chosen === 'kokoro' && !hasVoices) {
    throw new ConfigError(`--voice-file ${file} has no voices/ folder beside it: put Kokoro's voice .bin files there`);
  }
  return { voiceFile: file, engine: chosen };
}

function resolveMirror(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`AITALK_VOICE_MIRROR is not a URL: "${raw}"; unset it to fetch from the official hosts`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`AITALK_VOICE_MIRROR must be http:// or https://, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
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
  if (engine === 'piper' || engine === 'kokoro') {
    if (raw !== undefined && raw !== DEFAULT_MODELS[engine]) {
      throw new ConfigError(`--model does not apply to ${engine}: pass --voice-file PATH to load another voice`);
    }
    return DEFAULT_MODELS[engine];
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
    voiceFile: undefined,
    voicesDir: defaultVoicesDir(env),
    voiceMirror: resolveMirror(env.AITALK_VOICE_MIRROR),
    token: env.AITALK_TOKEN || undefined,
    allowOrigins: [],
    cacheDir: defaultCacheDir(env),
    cacheMaxMb: 256,
    maxChars: 4000,
    maxQueue: 32,
    timeoutMs: 120_000,
    stt: false,
    sttModel: 'tiny.en',
    sttModelsDir: defaultSttModelsDir(env),
    sttPython: defaultSttPython(env),
    sttMaxMb: DEFAULT_STT_MAX_MB,
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
        stt: { type: 'boolean' },
        'stt-model': { type: 'string' },
        'stt-models-dir': { type: 'string' },
        'stt-python': { type: 'string' },
        'stt-max-mb': { type: 'string' },
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
    stt: values.stt ?? false,
    sttModel: values.stt ? resolveSttModel(values['stt-model']) : defaults.sttModel,
    sttModelsDir: path.resolve(values['stt-models-dir'] ?? defaults.sttModelsDir),
    sttPython: values['stt-python'] ?? defaults.sttPython,
    sttMaxMb: integer('stt-max-mb', values['stt-max-mb'], defaults.sttMaxMb, 1, 2048),
  };

  const warnings: string[] = [];
  if (!isLoopbackHost(host)) {
    warnings.push(
      `--host ${host} is not a loopback address: other machines can reach the companion` +
        (config.token ? '' : ' (consider --token)'),
    );
  }
  const sttFlags = ['stt-model', 'stt-models-dir', 'stt-python', 'stt-max-mb'] as const;
  if (!config.stt && sttFlags.some((flag) => values[flag] !== undefined)) {
    warnings.push('the --stt-… options are ignored without --stt (transcription is off)');
  }
  if (envVoiceFileIgnored) warnings.push(`AITALK_VOICE_FILE is ignored by the ${config.engine} engine`);
  if (config.engine !== 'upstream' && values['upstream-url'] !== undefined) {
    warnings.push(`--upstream-url is ignored by the ${config.engine} engine`);
  }
  return { kind: 'run', config, warnings };
}
