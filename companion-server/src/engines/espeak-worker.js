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

/** @param {{ text: string; voice: string; rate: number }} request */
function speak(request) {
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
  return pcm;
}

/**
 * Speaking before "ready": a fresh instance loads the voice, and V8 compiles each WebAssembly function on its
 * first call and optimises hot ones later (measured here: the first sentence after start took 100–400 ms in the
 * worker, later ones 20–40 ms). That cost belongs to start-up, not to the learner's first turn.
 */
// V8 compiles each WebAssembly function on its first call, so the warm-up text walks the paths a teacher's
// sentences take: questions, exclamations, commas, numbers, times, dates, money, percentages, abbreviations.
const WARM_UP_TEXT =
  "Hello, and welcome back! How was your weekend, number 2? On 12 May 2024 at 7:30 I paid $10.50 — that's 25% " +
  'less, e.g. for Mr. Smith\'s "new" books (3rd edition); really?';

function warmUp() {
  const american = espeak
    .list_voices()
    .find((/** @type {{ name: string; languages: { name: string }[] }} */ v) => v.languages[0]?.name === 'en-us');
  // The voice the companion's default en-us maps to (englishVoices in espeak.ts): another would be loaded anew.
  if (!american) return;
  // Three runs: the first compiles what the text needs; the next ones let V8 start optimising the hot loops.
  for (let run = 0; run < 3; run++) speak({ text: WARM_UP_TEXT, voice: american.name, rate: 175 });
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
    const pcm = speak(request);
    port.postMessage({ type: 'audio', id: request.id, pcm: pcm.buffer }, [pcm.buffer]);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
});
