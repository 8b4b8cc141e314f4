// @ts-check
// One ONNX Runtime session in its own thread. onnxruntime-node loads a model and runs it synchronously on the
// thread that calls it (measured here: a 4 s load and 0.5-0.9 s runs froze the event loop throughout), and the
// server must keep answering health checks, cached audio and other clients meanwhile. Plain JavaScript because
// worker threads start without the TypeScript loader that tsx and vitest give the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

if (!parentPort) throw new Error('onnx-worker.js must run in a worker thread');
const port = parentPort;

/** @type {{ modelPath: string; threads: number }} */
const { modelPath, threads } = workerData;

/** @type {import('onnxruntime-node').InferenceSession} */
let session;
try {
  session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  // Let the message reach the main thread before the thread goes.
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.exit(1);
}

port.postMessage({
  type: 'loaded',
  inputs: session.inputMetadata.map((input) => ({ name: input.name, type: input.isTensor ? input.type : 'other' })),
  outputs: [...session.outputNames],
});

/**
 * @typedef {{ type: 'int64' | 'float32'; data: BigInt64Array | Float32Array; dims: number[] }} Feed
 */
port.on('message', async (/** @type {{ id: number; feeds: Record<string, Feed> }} */ request) => {
  try {
    /** @type {Record<string, import('onnxruntime-node').Tensor>} */
    const feeds = {};
    for (const [name, feed] of Object.entries(request.feeds))
      feeds[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
    const results = await session.run(feeds);
    /** @type {Record<string, { data: Float32Array; dims: readonly number[] }>} */
    const outputs = {};
    /** @type {ArrayBuffer[]} */
    const transfer = [];
    for (const [name, tensor] of Object.entries(results)) {
      // A copy, because the runtime's own buffer may live in native memory that cannot be handed to another thread.
      const data = Float32Array.from(/** @type {Float32Array} */ (tensor.data));
      outputs[name] = { data, dims: tensor.dims };
      transfer.push(data.buffer);
    }
    port.postMessage({ type: 'result', id: request.id, outputs }, transfer);
  } catch (error) {
    port.postMessage({
      type: 'error',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
