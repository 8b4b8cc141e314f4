import os from 'node:os';
import path from 'node:path';

export { venvPython } from '../../companion-server/src/python-env.ts';

/** Pinned so a bench figure measured today means the same model and decoder next month. */
export const FASTER_WHISPER_VERSION = '1.2.1';
export const MODELS_PACKAGE_VERSION = '0.1.0';
/** Written last by `npm run setup:recogniser`: its presence means every step before it succeeded. */
export const STAMP = 'aitalk-recogniser.json';

/**
 * Where `npm run setup:recogniser` keeps the speech recogniser's Python environment (benches and tests only):
 * beside the Coqui one, under the user's cache (XDG_CACHE_HOME respected), or where AITALK_RECOGNISER_VENV says.
 */
export function recogniserVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AITALK_RECOGNISER_VENV) return path.resolve(env.AITALK_RECOGNISER_VENV);
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', 'recogniser-venv');
}
