import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where `npm run setup:coqui` keeps its Python environment: outside the source tree (a clone stays small and
 * the multi-hundred-megabyte environment survives a fresh checkout), under the user's cache, or where
 * AITALK_COQUI_VENV says.
 */
export function coquiVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AITALK_COQUI_VENV) return path.resolve(env.AITALK_COQUI_VENV);
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'coqui-venv');
}

export function venvPython(dir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}

/** The Python the Coqui worker runs with: AITALK_PYTHON, else the setup's environment when it exists, else python3. */
export function defaultCoquiPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AITALK_PYTHON) return env.AITALK_PYTHON;
  const python = venvPython(coquiVenvDir(env));
  return existsSync(python) ? python : 'python3';
}

/**
 * The faster-whisper environment: one for the companion's transcription (`npm run setup:stt`) and the benches'
 * recogniser (`npm run setup:recogniser`, the same setup), so a learner and a developer install it once. Under the
 * user's cache, or where AITALK_STT_VENV (or the older AITALK_RECOGNISER_VENV) says.
 */
export function fasterWhisperVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.AITALK_STT_VENV || env.AITALK_RECOGNISER_VENV;
  if (chosen) return path.resolve(chosen);
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'recogniser-venv');
}

/** The Python the transcription worker runs with: AITALK_STT_PYTHON, else the setup's environment, else python3. */
export function defaultSttPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AITALK_STT_PYTHON) return env.AITALK_STT_PYTHON;
  const python = venvPython(fasterWhisperVenvDir(env));
  return existsSync(python) ? python : 'python3';
}
