/**
 * Makes the recording "Test connection" transcribes, shipped in the extension:
 *   npx tsx script/make-test-sample.ts
 * espeak-ng speaks it, sox pads it, ffmpeg encodes it as Ogg/Opus (a few kB, a format every
 * OpenAI-compatible transcription server accepts).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSpeechWav } from './lib/speech-wav.ts';
import { run } from './lib/run.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Keep in step with TEST_SAMPLE_PATH and TEST_SAMPLE_TEXT in features/settings/connection-test.ts. */
export const TEST_SAMPLE = path.join(ROOT, 'public/hello-can-you-hear-me.ogg');
export const TEST_SENTENCE = 'Hello, can you hear me?';

export async function makeTestSample(outPath = TEST_SAMPLE): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-test-sample-'));
  try {
    const wav = await makeSpeechWav(
      [{ silenceMs: 300 }, TEST_SENTENCE, { silenceMs: 400 }],
      path.join(dir, 'hello.wav'),
      {
        sampleRate: 16_000,
      },
    );
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-i',
      wav,
      '-ac',
      '1',
      '-c:a',
      'libopus',
      '-b:a',
      '24k',
      '-map_metadata',
      '-1',
      '-fflags',
      '+bitexact',
      outPath,
    ]);
    return outPath;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  makeTestSample().then(
    async (file) => console.info(`wrote ${path.relative(process.cwd(), file)} (${(await stat(file)).size} bytes)`),
    (error: unknown) => {
      console.error(`make-test-sample failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
