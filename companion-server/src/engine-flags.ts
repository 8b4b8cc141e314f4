import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EngineName } from './config.ts';
import { ConfigError, httpUrl } from './config-values.ts';

// Which voice or model the engine speaks with: --model, --voice-file and the voice mirror.

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

/**
 * Checks a --voice-file and decides which engine it is for: the one named with --engine, else Piper when its
 * .onnx.json is beside it and Kokoro when a voices/ folder is.
 */
export function resolveVoiceFile(
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

export function resolveModel(engine: EngineName, raw: string | undefined, env: NodeJS.ProcessEnv): string {
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

export function resolveMirror(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  httpUrl(raw, 'AITALK_VOICE_MIRROR', '; unset it to fetch from the official hosts');
  return raw.replace(/\/+$/, '');
}
