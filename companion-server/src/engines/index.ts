import type { CompanionConfig, EngineName } from '../config.ts';
import { createVoiceRouter, type FetchTuning, type NeuralEngineFactories } from '../voices/neural.ts';
import { CoquiEngine } from './coqui.ts';
import { KokoroEngine } from './kokoro.ts';
import { PiperEngine } from './piper.ts';
import type { TtsEngine } from './types.ts';
import { UpstreamEngine } from './upstream.ts';

export interface EngineContext {
  config: CompanionConfig;
  /** Extra environment for child processes. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Replaces NEURAL_ENGINES (tests build the router around their own engines). */
  neuralEngines?: NeuralEngineFactories;
  /** Shorter download retries for tests. */
  voiceFetch?: FetchTuning;
}

/** The neural engines the router can load once their files are on disk. */
export const NEURAL_ENGINES: NeuralEngineFactories = {
  piper: (options) => new PiperEngine(options),
  kokoro: (options) => new KokoroEngine(options),
};

function router({ config, log, neuralEngines, voiceFetch }: EngineContext): TtsEngine {
  return createVoiceRouter({ config, factories: neuralEngines ?? NEURAL_ENGINES, fetch: voiceFetch, log });
}

const ENGINES: Record<EngineName, (context: EngineContext) => TtsEngine> = {
  // eSpeak alone sits in the router too, so its voices carry accent and gender like the neural ones.
  espeak: router,
  piper: router,
  kokoro: router,
  coqui: ({ config, env, log }) =>
    new CoquiEngine({
      model: config.model,
      device: config.device,
      python: config.python,
      maxQueue: config.maxQueue,
      timeoutMs: config.timeoutMs,
      env,
      log,
    }),
  upstream: ({ config }) =>
    new UpstreamEngine({
      url: config.upstreamUrl ?? '',
      key: config.upstreamKey,
      model: config.model,
      maxQueue: config.maxQueue,
      timeoutMs: config.timeoutMs,
    }),
};

export function createEngine(context: EngineContext): TtsEngine {
  return ENGINES[context.config.engine](context);
}
