/**
 * Regenerates the committed sample recordings in script/samples/ with espeak-ng and sox:
 *   npx tsx script/make-samples.ts
 * The same espeak-ng version gives the same bytes, so a diff after regenerating means the tools changed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSilenceWav, makeSpeechWav } from './lib/speech-wav.ts';

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples');

/** The learner's sentence, with the past-tense mistake the teacher is expected to correct. */
export const LEARNER_SENTENCE = 'Yesterday I go to the park with my friend.';
export const SECOND_SENTENCE = 'I like to read books in the evening.';

async function main(): Promise<void> {
  const made = await Promise.all([
    makeSpeechWav(
      [{ silenceMs: 400 }, LEARNER_SENTENCE, { silenceMs: 800 }],
      path.join(SAMPLES, 'learner-yesterday.wav'),
    ),
    makeSpeechWav([{ silenceMs: 400 }, SECOND_SENTENCE, { silenceMs: 800 }], path.join(SAMPLES, 'learner-books.wav')),
    // A sentence with a pause inside it and silence after: hands-free must wait for the whole sentence.
    makeSpeechWav(
      [{ silenceMs: 400 }, 'Yesterday I go to the park', { silenceMs: 100 }, 'with my friend.', { silenceMs: 2500 }],
      path.join(SAMPLES, 'learner-pause.wav'),
    ),
    makeSilenceWav(2000, path.join(SAMPLES, 'silence-2s.wav')),
  ]);
  for (const file of made) console.info(`wrote ${path.relative(process.cwd(), file)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`make-samples failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
