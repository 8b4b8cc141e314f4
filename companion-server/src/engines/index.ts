import type { CompanionConfig, EngineName } from '../config.ts';
import { CoquiEngine } from './coqui.ts';
import { EspeakEngine } from './espeak.ts';
import type { TtsEngine } from './types.ts';
import { UpstreamEngine } from './upstream.ts';

export interface EngineContext {
  config: CompanionConfig;
  /** Extra environment for child processes. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

const ENGINES: Record<EngineName, (context: EngineContext) => TtsEngine> = {
  espeak: ({ config }) => new EspeakEngine({ maxQueue: config.maxQueue, timeoutMs: config.timeoutMs }),
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
