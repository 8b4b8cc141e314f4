import path from 'node:path';
import type { CompanionConfig } from '../config.ts';
import { EspeakEngine } from '../engines/espeak.ts';
import type { TtsEngine } from '../engines/types.ts';
import { VOICE_PACKS, licenceAllowsUse, type NeuralEngineName, type PackVoice, type VoicePack } from './catalog.ts';
import { fetchPack, type FetchPackOptions } from './fetch.ts';
import { VoiceRouter, type NeuralPlan } from './router.ts';

/** What engines/piper.ts's PiperEngine takes (configPath defaults to modelPath + '.json'). */
export interface PiperEngineOptions {
  modelPath: string;
  configPath?: string;
  maxQueue: number;
  timeoutMs: number;
}

/** What engines/kokoro.ts's KokoroEngine takes. */
export interface KokoroEngineOptions {
  modelPath: string;
  voicesDir: string;
  maxQueue: number;
  timeoutMs: number;
}

/** How the neural engines are built; engines/index.ts supplies the real ones, tests their own. */
export interface NeuralEngineFactories {
  piper?: (options: PiperEngineOptions) => TtsEngine;
  kokoro?: (options: KokoroEngineOptions) => TtsEngine;
}

/** Download tuning that tests shorten (retries and their delays); the rest of FetchPackOptions is set here. */
export type FetchTuning = Pick<FetchPackOptions, 'attempts' | 'retryDelayMs' | 'stallMs' | 'progressIntervalMs'>;

export interface NeuralPlanOptions {
  engine: NeuralEngineName;
  config: Pick<CompanionConfig, 'voiceFile' | 'voicesDir' | 'voiceMirror' | 'maxQueue' | 'timeoutMs' | 'model'>;
  factories: NeuralEngineFactories;
  fetch?: FetchTuning;
  /** Replaces the catalog's packs (tests). */
  packs?: Partial<Record<NeuralEngineName, VoicePack>>;
}

/** A Piper voice file's own voice, named like the official ones (en_US-joe-medium, en_GB-alan-low). */
function piperFileVoice(modelPath: string): PackVoice {
  const id = path.basename(modelPath, '.onnx');
  return { id, accent: /^en_GB/i.test(id) ? 'British' : /^en_US/i.test(id) ? 'American' : 'other' };
}

/**
 * Where the neural engine's files come from — the voice store, fetched on first use, or --voice-file — and how
 * the engine is built from them.
 */
export function neuralPlan(options: NeuralPlanOptions): NeuralPlan {
  const { engine, config, factories } = options;
  const pack = options.packs?.[engine] ?? VOICE_PACKS[engine];
  const fileVoice = config.voiceFile && engine === 'piper' ? piperFileVoice(config.voiceFile) : null;
  return {
    engine,
    model: config.voiceFile ? path.basename(config.voiceFile, '.onnx') : pack.id,
    defaultVoice: fileVoice?.id ?? pack.defaultVoice,
    voices: fileVoice ? [fileVoice] : pack.voices,
    async locate({ onProgress, signal }) {
      if (config.voiceFile) return { modelPath: config.voiceFile, fetched: null };
      if (!licenceAllowsUse(pack.spdx)) {
        throw new Error(
          `${pack.id} is licensed ${pack.spdx}, which does not allow AITalk's use, so it is not offered: ` +
            'start with --engine espeak, or --voice-file PATH for a voice you may use',
        );
      }
      const fetched = await fetchPack(pack, {
        ...options.fetch,
        voicesDir: config.voicesDir,
        mirror: config.voiceMirror,
        onProgress,
        signal,
      });
      return { modelPath: fetched.modelPath, fetched };
    },
    create(modelPath) {
      const common = { modelPath, maxQueue: config.maxQueue, timeoutMs: config.timeoutMs };
      if (engine === 'piper' && factories.piper) return factories.piper(common);
      if (engine === 'kokoro' && factories.kokoro) {
        return factories.kokoro({ ...common, voicesDir: path.join(path.dirname(modelPath), 'voices') });
      }
      throw new Error(`this companion was built without the ${engine} engine: start with --engine espeak`);
    },
  };
}

export interface VoiceRouterContext {
  config: CompanionConfig;
  factories: NeuralEngineFactories;
  fetch?: FetchTuning;
  log?: (line: string) => void;
}

/** The engine behind --engine piper, kokoro and espeak: eSpeak always, plus the neural engine asked for. */
export function createVoiceRouter({ config, factories, fetch, log }: VoiceRouterContext): VoiceRouter {
  const espeak = new EspeakEngine({ maxQueue: config.maxQueue, timeoutMs: config.timeoutMs });
  const neural =
    config.engine === 'piper' || config.engine === 'kokoro'
      ? neuralPlan({ engine: config.engine, config, factories, fetch })
      : null;
  return new VoiceRouter({ espeak, neural, log });
}
