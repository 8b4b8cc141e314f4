/**
 * Asks the companion to speak a sentence and writes the audio to a WAV file.
 *   [AITALK_COMPANION_URL=http://127.0.0.1:8730] [AITALK_TOKEN=…] npm run smoke:speak -- ["sentence"] [OUT.wav]
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSmoke, smokeEnv } from './lib/smoke.ts';

runSmoke('smoke:speak', async () => {
  const sentence = process.argv[2] ?? 'Hello! What did you do last weekend?';
  const out = process.argv[3] ?? path.join(os.tmpdir(), 'aitalk-smoke-speak.wav');
  const env = smokeEnv();
  const url = `${env.companionURL}/v1/audio/speech`;
  console.info(`asking ${url} to speak: "${sentence}"`);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(env.companionToken ? { authorization: `Bearer ${env.companionToken}` } : {}),
      },
      body: JSON.stringify({ model: 'tts-1', input: sentence, voice: 'alloy', response_format: 'wav' }),
    });
  } catch (error) {
    const cause =
      (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    throw new Error(`cannot reach the companion at ${env.companionURL} (${cause}); start it with: npm run companion`);
  }
  const firstByteMs = Math.round(performance.now() - started);
  const audio = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}: ${audio.toString('utf8').slice(0, 300)}`);
  if (audio.subarray(0, 4).toString('ascii') !== 'RIFF') {
    throw new Error(
      `expected a WAV file but got ${response.headers.get('content-type') ?? 'no content type'} (${audio.length} bytes)`,
    );
  }
  await writeFile(out, audio);
  console.info(
    `wrote ${out}: ${audio.length} bytes, headers after ${firstByteMs} ms, done after ${Math.round(performance.now() - started)} ms`,
  );
});
