/**
 * Transcribes a learner recording with the transcription API.
 *   OPENAI_API_KEY=… [OPENAI_BASE_URL=…] npm run smoke:transcribe -- [FILE]
 * FILE defaults to script/samples/learner-yesterday.wav.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toFile } from 'openai';
import { openaiClient, runSmoke, smokeEnv } from './lib/smoke.ts';

const DEFAULT_SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples', 'learner-yesterday.wav');

runSmoke('smoke:transcribe', async () => {
  const file = process.argv[2] ?? DEFAULT_SAMPLE;
  const bytes = await readFile(file).catch((error: Error) => {
    throw new Error(`cannot read ${file}: ${error.message}`);
  });
  const env = smokeEnv();
  const type = file.endsWith('.webm')
    ? 'audio/webm'
    : file.endsWith('.ogg')
      ? 'audio/ogg'
      : file.endsWith('.mp3')
        ? 'audio/mpeg'
        : 'audio/wav';
  console.info(
    `transcribing ${path.basename(file)} (${bytes.length} bytes) with ${env.transcribeModel} at ${env.baseURL}`,
  );
  const started = performance.now();
  const result = await openaiClient().audio.transcriptions.create({
    file: await toFile(bytes, path.basename(file), { type }),
    model: env.transcribeModel,
    language: 'en',
  });
  const ms = Math.round(performance.now() - started);
  if (!result.text.trim()) throw new Error(`the transcript is empty (${ms} ms): nothing was recognised in ${file}`);
  console.info(`transcript: ${result.text}`);
  console.info(`took ${ms} ms`);
});
