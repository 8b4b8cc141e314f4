import { PIPER_VOICE, piperVoicePaths, voicePackagesDir } from '../../companion-server/test/voice-packages.ts';
import { NEURAL_VOICES, specFor, type VoiceSpec } from '../voices/engines.ts';
import { waitForVoice } from '../voices/measure.ts';
import { startCompanionProcess, type CompanionProcess } from './companion-process.ts';

/**
 * The companion with the default neural voice (Piper, from the voice packages of `npm run setup:voices`), for
 * the bench's second set of shortcut turns. Until Piper has loaded, the companion's router speaks with eSpeak,
 * so every start and restart waits for /health's naturalVoice 'ready' and Piper listed at GET /voices: a turn
 * measured before that would time eSpeak under Piper's name.
 */

/** The companion's arguments for the default neural voice in `dir`; throws naming `npm run setup:voices` when absent. */
export function neuralVoiceSpec(dir: string = voicePackagesDir()): VoiceSpec {
  // Also requires the model card, which setup:voices puts beside the model: a half-filled folder is not accepted.
  piperVoicePaths(dir);
  const piper = NEURAL_VOICES.find((voice) => voice.engine === 'piper' && voice.voice === PIPER_VOICE);
  if (!piper) throw new Error(`script/voices/engines.ts lists no Piper voice ${PIPER_VOICE}`);
  return specFor(piper, dir);
}

export interface NeuralVoice {
  url: string;
  label: string;
  note: string;
  /** A fresh process, back once Piper speaks again. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startNeuralVoice(log: (line: string) => void, dir?: string): Promise<NeuralVoice> {
  const spec = neuralVoiceSpec(dir);
  let companion: CompanionProcess | undefined;
  try {
    companion = await startCompanionProcess(spec.engine, log, spec.args);
    const started = performance.now();
    await waitForVoice(companion.url, spec);
    const loadS = (performance.now() - started) / 1000;
    const running = companion;
    return {
      url: running.url,
      label: spec.label,
      note: `${spec.label} (--engine piper --voice-file ${spec.args[1]}), its own process, disk cache off; ready ${loadS.toFixed(1)} s after listening; each start waits for it`,
      async restart() {
        await running.restart();
        await waitForVoice(running.url, spec);
      },
      close: () => running.close(),
    };
  } catch (error) {
    await companion?.close();
    throw error;
  }
}
