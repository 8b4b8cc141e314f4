import { fasterWhisperVenvDir } from '../../companion-server/src/python-env.ts';

export { venvPython } from '../../companion-server/src/python-env.ts';

/** Pinned so a bench figure measured today means the same model and decoder next month. */
export const FASTER_WHISPER_VERSION = '1.2.1';
export const MODELS_PACKAGE_VERSION = '0.1.0';
/** Written last by `npm run setup:recogniser`: its presence means every step before it succeeded. */
export const STAMP = 'aitalk-recogniser.json';

/**
 * Where `npm run setup:recogniser` (and `npm run setup:stt`, the same setup) keeps the faster-whisper environment:
 * under the user's cache, or where AITALK_STT_VENV or AITALK_RECOGNISER_VENV says. The companion's transcription
 * worker runs in it too (companion-server/src/python-env.ts).
 */
export function recogniserVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  return fasterWhisperVenvDir(env);
}
