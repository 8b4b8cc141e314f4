// @ts-check
// Runs eSpeak NG (WebAssembly) off the main thread: synthesis is synchronous, and the server must keep
// answering cache hits, health checks and other clients while a sentence is being spoken. Plain JavaScript
// because worker threads start without the TypeScript loader that tsx and vitest give the main thread.
import { parentPort } from 'node:worker_threads';
import createEspeakModule from '@echogarden/espeak-ng-emscripten';

if (!parentPort) throw new Error('espeak-worker.js must run in a worker thread');
const port = parentPort;

const espeakModule = await createEspeakModule();
const espeak = new espeakModule.eSpeakNGWorker();

/** @param {string} text */
function escapeSsml(text) {
  // The build enables SSML, so markup in the input (e.g. <break time="600s"/>) would be obeyed, not spoken.
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One sentence spoken and thrown away before "ready": the first synthesis in a fresh instance loads the voice
 * and compiles WebAssembly's hot paths (about 400 ms here, against 40 ms later), and that cost belongs to
 * start-up, not to the learner's first turn.
 */
function warmUp() {
  const voices = espeak.list_voices();
  const american = voices.find((/** @type {{ name: string; languages: { name: string }[] }} */ v) =>
    v.languages.some((l) => l.name === 'en-us'),
  );
  if (american) espeak.set_voice(american.name);
  espeak.synthesize('Hello, and welcome back.', () => false);
}

warmUp();

port.postMessage({
  type: 'ready',
  sampleRate: espeak.get_samplerate(),
  voices: espeak.list_voices().map((/** @type {{ name: string; identifier: string; languages: { name: string }[] }} */ v) => ({
    name: v.name,
    identifier: v.identifier,
    languages: v.languages.map((l) => l.name),
  })),
});

port.on('message', (/** @type {{ id: number; text: string; voice: string; rate: number }} */ request) => {
  try {
    if (espeak.set_voice(request.voice) !== 0) throw new Error(`eSpeak NG has no voice "${request.voice}"`);
    espeak.set_rate(request.rate);
    /** @type {Int16Array[]} */
    const parts = [];
    let total = 0;
    espeak.synthesize(escapeSsml(request.text), (/** @type {Int16Array} */ samples) => {
      parts.push(samples);
      total += samples.length;
      return false;
    });
    const pcm = new Int16Array(total);
    let offset = 0;
    for (const part of parts) {
      pcm.set(part, offset);
      offset += part.length;
    }
    port.postMessage({ type: 'audio', id: request.id, pcm: pcm.buffer }, [pcm.buffer]);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
});
