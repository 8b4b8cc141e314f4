// @ts-check
// eSpeak NG (WebAssembly) turning text into IPA for the neural engines, off the main thread: the call is
// synchronous, and the server keeps answering other requests, health checks and synthesis while it runs. Plain
// JavaScript because worker threads start without the TypeScript loader that tsx and vitest give the main thread.
import { parentPort } from 'node:worker_threads';
import createEspeakModule from '@echogarden/espeak-ng-emscripten';

if (!parentPort) throw new Error('phonemes-worker.js must run in a worker thread');
const port = parentPort;

const espeakModule = await createEspeakModule();
const espeak = new espeakModule.eSpeakNGWorker();
const decoder = new TextDecoder();

/**
 * Language tag → eSpeak voice name. This build finds voices reliably only by name: set_voice('en-gb') fails, and
 * text_to_phonemes after a failed set_voice aborts the WebAssembly instance.
 * @type {Map<string, string>}
 */
const names = new Map();
for (const voice of espeak.list_voices()) {
  const language = voice.languages[0]?.name;
  if (language && !names.has(language)) names.set(language, voice.name);
}

let currentVoice = '';

/** @param {string} voice */
function useVoice(voice) {
  if (voice === currentVoice) return;
  const name = names.get(voice);
  if (!name || espeak.set_voice(name) !== 0) throw new Error(`eSpeak NG has no voice "${voice}"`);
  currentVoice = voice;
}

/**
 * eSpeak's IPA for one piece of text, as this build returns it: phonemes joined by "_", words by " ", eSpeak's own
 * clauses by " | ".
 * @param {string} text
 */
function phonemize(text) {
  if (!text.trim()) return '';
  const pointer = espeakModule.getPointer(espeak.text_to_phonemes(text, 1));
  const heap = espeakModule.HEAPU8;
  let end = pointer;
  while (heap[end]) end++;
  return decoder.decode(heap.subarray(pointer, end));
}

// The first call loads the voice's dictionary and compiles the WebAssembly functions it walks; that belongs to
// start-up, not to the learner's first sentence.
for (const voice of ['en-gb', 'en-us']) {
  if (!names.has(voice)) continue;
  useVoice(voice);
  phonemize("Hello, and welcome back! How was your weekend? On 12 May at 7:30 I paid $10.50 — that's 25% less.");
}

port.postMessage({ type: 'ready', voices: [...names.keys()] });

port.on('message', (/** @type {{ id: number; voice: string; pieces: string[] }} */ request) => {
  try {
    useVoice(request.voice);
    port.postMessage({ type: 'phonemes', id: request.id, phonemes: request.pieces.map(phonemize) });
  } catch (error) {
    port.postMessage({
      type: 'error',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
