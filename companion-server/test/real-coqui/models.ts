import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coquiVenvDir } from '../../src/python-env.ts';

const MAKE_MODELS = fileURLToPath(new URL('./make_models.py', import.meta.url));

/**
 * A TTS_HOME holding randomly initialised Coqui models under the real names (see make_models.py): "tiny" for
 * the tests, "full" (the published layer sizes) for the bench. Building imports torch and coqui-tts, a minute
 * on a busy machine, so each build is kept beside the Coqui environment, per version of the script.
 */
export async function randomModelsHome(python: string, size: 'tiny' | 'full'): Promise<string> {
  const script = await readFile(MAKE_MODELS);
  const key = createHash('sha256').update(script).update(python).update(size).digest('hex').slice(0, 16);
  const home = path.join(path.dirname(coquiVenvDir()), 'random-models', `${size}-${key}`);
  if (existsSync(path.join(home, 'complete'))) return home;
  const building = `${home}.${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(python, [MAKE_MODELS, '--home', building, '--size', size], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (status) =>
      status === 0 ? resolve() : reject(new Error(`make_models.py failed:\n${stderr}`)),
    );
  });
  await writeFile(path.join(building, 'complete'), '');
  await rm(home, { recursive: true, force: true });
  await rename(building, home);
  return home;
}
