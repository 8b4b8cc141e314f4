/**
 * What each neural engine costs the learner's machine, shown beside it in Settings › Voice so the
 * learner can weigh a more natural voice against waiting for it. The one place these figures live:
 * `npm run bench:voices` on the reference machine (2 cores, busy: load average about 2), README
 * "The voices": the median time to the first sound of a sentence's first clause, and the memory the
 * engine holds over an eSpeak-only companion.
 */
export const NEURAL_ENGINE_COSTS = {
  piper: { firstAudioSeconds: 0.3, memoryMb: 290 },
  kokoro: { firstAudioSeconds: 2.4, memoryMb: 420 },
} as const satisfies Record<string, { firstAudioSeconds: number; memoryMb: number }>;

export type NeuralEngine = keyof typeof NEURAL_ENGINE_COSTS;

export function isNeuralEngine(engine: string): engine is NeuralEngine {
  return Object.hasOwn(NEURAL_ENGINE_COSTS, engine);
}
