import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, cacheFolder, integer } from '../config-values.ts';
import { defaultSttPython } from '../python-env.ts';
import { STT_MODEL_NAMES, UNCHECKED_MODELS, isSttModelName } from './models.ts';
import { DEFAULT_STT_MAX_MB } from './route.ts';

/** The command line's transcription options (companion-server/src/config.ts parses them with the rest). */
export const STT_OPTIONS = {
  stt: { type: 'boolean' },
  'stt-model': { type: 'string' },
  'stt-models-dir': { type: 'string' },
  'stt-python': { type: 'string' },
  'stt-max-mb': { type: 'string' },
} as const;

export interface SttFlags {
  stt?: boolean;
  'stt-model'?: string;
  'stt-models-dir'?: string;
  'stt-python'?: string;
  'stt-max-mb'?: string;
}

export interface SttConfig {
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

/** The --help lines of the options above. */
export function sttUsage(env: NodeJS.ProcessEnv): string {
  return `  --stt                also transcribe: OpenAI-compatible POST /v1/audio/transcriptions with faster-whisper
                       (after npm run setup:stt); off by default
  --stt-model NAME     tiny.en (default; 75 MB fetched on first use into --stt-models-dir) or a faster-whisper
                       model folder (model.bin, tokenizer.json, vocabulary.txt); base.en and small.en need a folder
  --stt-models-dir DIR where fetched Whisper models are kept (default ${cacheFolder(env, 'stt-models')})
  --stt-python PATH    the Python that has faster-whisper (env AITALK_STT_PYTHON; default: npm run setup:stt's)
  --stt-max-mb N       largest upload to transcribe, in MB (default ${DEFAULT_STT_MAX_MB}, as OpenAI's)
`;
}

export function defaultSttConfig(env: NodeJS.ProcessEnv): SttConfig {
  return {
    stt: false,
    sttModel: 'tiny.en',
    sttModelsDir: cacheFolder(env, 'stt-models'),
    sttPython: defaultSttPython(env),
    sttMaxMb: DEFAULT_STT_MAX_MB,
  };
}

/** Checks the options; the model is only checked with --stt, so a stale --stt-model cannot stop speech alone. */
export function sttConfig(values: SttFlags, defaults: SttConfig): SttConfig {
  return {
    stt: values.stt ?? false,
    sttModel: values.stt ? resolveSttModel(values['stt-model']) : defaults.sttModel,
    sttModelsDir: path.resolve(values['stt-models-dir'] ?? defaults.sttModelsDir),
    sttPython: values['stt-python'] ?? defaults.sttPython,
    sttMaxMb: integer('stt-max-mb', values['stt-max-mb'], defaults.sttMaxMb, 1, 2048),
  };
}

/** The warning for --stt-… options given without --stt, if any were. */
export function sttWarning(values: SttFlags): string | null {
  const given = (['stt-model', 'stt-models-dir', 'stt-python', 'stt-max-mb'] as const).some(
    (flag) => values[flag] !== undefined,
  );
  return !values.stt && given ? 'the --stt-… options are ignored without --stt (transcription is off)' : null;
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
