/**
 * npm run setup:coqui [-- --force] — installs coqui-tts for the companion's Coqui engine in a Python environment of
 * its own, outside the source tree (companion-server/src/python-env.ts says where), and prints that
 * environment's Python as its last line. An environment that is already complete is reused in about a second.
 *
 * The smallest download that works, found by installing it here:
 * - PyTorch 2.13.0 must be a CPU build. PyPI's default torch wheel is a multi-gigabyte CUDA build, so the script
 *   asks pip first (--dry-run --report) and refuses unless pip would take a CPU wheel (a local one, or one from
 *   an index such as https://download.pytorch.org/whl/cpu given in PIP_INDEX_URL / PIP_EXTRA_INDEX_URL).
 * - coqui-tts 0.27.5 no longer installs torch itself (0.27.4+), but still imports torchaudio (vits.py, xtts.py) and
 *   refuses to start without torchcodec under torch ≥ 2.9. No torchaudio exists for torch 2.13 on PyPI; 2.11.1
 *   (which accepts torch ≥ 2.11) is a CUDA build whose native extension needs libc10_cuda. torchaudio treats
 *   that extension as optional, and coqui-tts's speech path for these models uses only torchaudio's Python
 *   transforms, so the extension is removed after installing (forced alignment and the CTC decoder go with it).
 * - transformers 5 removed a helper coqui-tts 0.27.5 imports (isin_mps_friendly): it is held below 5.
 * - coqui-tts imports six without declaring it.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { coquiVenvDir, venvPython } from '../companion-server/src/python-env.ts';
import { findBasePython } from './lib/python.ts';

const COQUI_VERSION = '0.27.5';
const TORCH_VERSION = '2.13.0';
/** Everything installed besides torch, with the reasons above. */
const PACKAGES = [`coqui-tts==${COQUI_VERSION}`, 'torchaudio==2.11.1', 'torchcodec==0.17.0', 'six'];
const CONSTRAINTS = [`torch==${TORCH_VERSION}`, 'transformers>=4.57,<5'];
const STAMP = 'aitalk-coqui.json';
const SUPPORTED_PYTHON_MINOR = { min: 10, max: 13 } as const;

class SetupError extends Error {}

function run(
  command: string,
  args: string[],
  options: SpawnSyncOptions = {},
): { status: number | null; stdout: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
  if (result.error) throw new SetupError(`could not run ${command}: ${result.error.message}`);
  return { status: result.status, stdout: String(result.stdout ?? '') };
}

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

interface PipReport {
  install: { metadata: { name: string; version: string }; download_info?: { url?: string } }[];
}

/** Refuses before downloading when pip would fetch PyPI's CUDA build of torch. */
function checkTorchIsCpu(python: string): void {
  console.info(`\n== checking which PyTorch ${TORCH_VERSION} pip would install`);
  const { status, stdout } = run(python, [
    '-m',
    'pip',
    'install',
    '--dry-run',
    '--quiet',
    '--report',
    '-',
    `torch==${TORCH_VERSION}`,
  ]);
  if (status !== 0) throw new SetupError(`pip cannot find torch==${TORCH_VERSION}; see its message above`);
  const report = JSON.parse(stdout) as PipReport;
  const torch = report.install.find((item) => item.metadata.name.toLowerCase() === 'torch');
  if (!torch) return;
  const url = torch.download_info?.url ?? '';
  const isCpu = torch.metadata.version.includes('+cpu') || /\/whl\/cpu\b/.test(url);
  const isLocal = url.startsWith('file:');
  const nvidia = report.install.filter((item) => item.metadata.name.toLowerCase().startsWith('nvidia-'));
  if ((isCpu || isLocal) && nvidia.length === 0) {
    console.info(`   torch ${torch.metadata.version} from ${url || 'the index'}`);
    return;
  }
  throw new SetupError(
    `pip would install torch ${torch.metadata.version} from ${url || 'PyPI'}${nvidia.length ? ` with ${nvidia.length} NVIDIA packages` : ''}: ` +
      'the CUDA build, several gigabytes. Give pip a CPU build instead: PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu ' +
      'npm run setup:coqui (or a local torch-2.13.0+cpu wheel with PIP_FIND_LINKS=DIR).',
  );
}

async function removeTorchaudioExtension(python: string): Promise<void> {
  const { stdout } = run(python, [
    '-c',
    'import importlib.util as u; print(u.find_spec("torchaudio").submodule_search_locations[0])',
  ]);
  const lib = path.join(stdout.trim(), 'lib');
  if (!existsSync(lib)) return;
  const natives = (await readdir(lib)).filter((file) => /\.(so|pyd|dylib)$/.test(file));
  await Promise.all(natives.map((file) => rm(path.join(lib, file))));
  if (natives.length) console.info(`   removed torchaudio's CUDA-linked extension (${natives.join(', ')})`);
}

async function isComplete(venv: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(path.join(venv, STAMP), 'utf8')) as { coqui?: string; torch?: string };
    return stamp.coqui === COQUI_VERSION && stamp.torch === TORCH_VERSION && existsSync(venvPython(venv));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const venv = coquiVenvDir();
  const python = venvPython(venv);
  if (!force && (await isComplete(venv))) {
    console.info(`coqui-tts ${COQUI_VERSION} is already set up in ${venv}`);
    console.info(python);
    return;
  }
  const started = Date.now();
  if (force || !existsSync(python)) {
    const base = findBasePython(
      `coqui-tts ${COQUI_VERSION}`,
      SUPPORTED_PYTHON_MINOR,
      (message) => new SetupError(message),
    );
    console.info(`Setting up coqui-tts ${COQUI_VERSION} in ${venv} with ${base}`);
    await rm(venv, { recursive: true, force: true });
    step('creating the environment', base, ['-m', 'venv', venv], 'on Debian/Ubuntu install python3-venv first');
  } else {
    console.info(`Completing the environment in ${venv}`);
  }
  checkTorchIsCpu(python);
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check'];
  step(
    `installing PyTorch ${TORCH_VERSION} (CPU)`,
    python,
    [...pip, `torch==${TORCH_VERSION}`],
    "see pip's message above",
  );
  const constraints = path.join(venv, 'aitalk-constraints.txt');
  await writeFile(constraints, CONSTRAINTS.join('\n') + '\n');
  step(
    `installing coqui-tts ${COQUI_VERSION}`,
    python,
    [...pip, '-c', constraints, ...PACKAGES],
    "see pip's message above",
  );
  await removeTorchaudioExtension(python);
  step(
    'checking that coqui-tts imports',
    python,
    [
      '-c',
      'import torch, TTS.api; assert torch.version.cuda is None, "CUDA build"; print("   torch", torch.__version__, "coqui-tts", TTS.__version__)',
    ],
    `the environment is incomplete; run npm run setup:coqui -- --force to start again`,
  );
  await writeFile(path.join(venv, STAMP), JSON.stringify({ coqui: COQUI_VERSION, torch: TORCH_VERSION }) + '\n');
  console.info(
    `\ncoqui-tts is ready (${((Date.now() - started) / 1000).toFixed(0)} s). The companion uses this Python by itself:`,
  );
  console.info(python);
}

main().catch((error: unknown) => {
  console.error(`setup:coqui: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
