/**
 * What each neural engine costs the learner's machine, shown beside it in Settings › Voice so the
 * learner can weigh a more natural voice against waiting for it. The one place these figures live:
 * replace them with what `npm run bench:voices` prints (first-clause synthesis time, memory held)
 * on the reference machine. Until then they are estimates from onnxruntime-node's real-time factor
 * measured on 2 cores (Piper 0.07–0.12, Kokoro 0.76–0.85) and the models' sizes (63 MB, 92 MB).
 */
export const NEURAL_ENGINE_COSTS = {
  piper: { firstAudioSeconds: 0.2, memoryMb: 150 },
  kokoro: { firstAudioSeconds: 0.9, memoryMb: 300 },
} as const satisfies Record<string, { firstAudioSeconds: number; memoryMb: number }>;

export type NeuralEngine = keyof typeof NEURAL_ENGINE_COSTS;

export function isNeuralEngine(engine: string): engine is NeuralEngine {
  return Object.hasOwn(NEURAL_ENGINE_COSTS, engine);
}
