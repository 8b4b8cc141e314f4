/**
 * npm run licenses — every runtime dependency's licence must be on the allow list below, the two copyleft
 * packages may only be used by the companion (GPL-3.0-or-later, see companion-server/LICENSE) and never by the
 * extension (MIT), and THIRD_PARTY_NOTICES.md must name every direct runtime dependency; the voices the companion
 * fetches (companion-server/src/voices/catalog.ts) must be under allowed licences and named there too. Part of
 * `npm test`.
 * Licences come from license-checker-rseidelsohn, which reads each installed package's metadata and files.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init } from 'license-checker-rseidelsohn';
import { VOICE_PACKS } from '../companion-server/src/voices/catalog.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Permissive licences, and MPL-2.0 (file-level copyleft: webextension-polyfill is shipped unmodified). */
export const ALLOWED = new Set([
  'MIT',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Zlib',
  'Python-2.0',
  'MPL-2.0',
]);

/** Allowed by name only, each with why. */
export const EXCEPTIONS: Record<string, { license: string; companionOnly: boolean; why: string }> = {
  '@echogarden/espeak-ng-emscripten': {
    license: 'GPL-3.0',
    companionOnly: true,
    why: "eSpeak NG, the companion's default voice; the companion is GPL-3.0-or-later for it",
  },
  '@breezystack/lamejs': { license: 'LGPL-3.0', companionOnly: true, why: "the companion's MP3 encoder" },
  winreg: {
    license: 'BSD*',
    companionOnly: false,
    why: "BSD-2-Clause per its LICENSE file; a Windows helper of WXT's dev runner",
  },
};

/** Whether an SPDX-like expression ("MIT", "(MIT OR CC0-1.0)", "(MIT AND Zlib)") is satisfied by ALLOWED. */
export function isAllowedExpression(expression: string): boolean {
  const bare = expression.trim().replace(/^\((.*)\)$/, '$1');
  if (/\bOR\b/.test(bare)) return bare.split(/\s+OR\s+/).some(isAllowedExpression);
  if (/\bAND\b/.test(bare)) return bare.split(/\s+AND\s+/).every(isAllowedExpression);
  return ALLOWED.has(bare);
}

interface PackageInfo {
  licenses?: string | string[];
}

function runtimePackages(): Promise<Record<string, PackageInfo>> {
  return new Promise((resolve, reject) => {
    init(
      { start: ROOT, production: true, excludePrivatePackages: true },
      (error: Error | null, packages: Record<string, PackageInfo>) => (error ? reject(error) : resolve(packages)),
    );
  });
}

/** "name@1.2.3" or "@scope/name@1.2.3" → name. */
function packageName(id: string): string {
  return id.slice(0, id.lastIndexOf('@'));
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|tsx|js|mjs)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function main(): Promise<void> {
  const problems: string[] = [];
  const packages = await runtimePackages();
  for (const [id, info] of Object.entries(packages)) {
    const license = Array.isArray(info.licenses) ? info.licenses.join(' OR ') : (info.licenses ?? 'UNKNOWN');
    const exception = EXCEPTIONS[packageName(id)];
    if (exception ? exception.license !== license : !isAllowedExpression(license)) {
      problems.push(`${id} is licensed "${license}", which is not on the allow list in script/check-licenses.ts`);
    }
  }

  // What the extension bundles is MIT: no file of it may import a copyleft package (the folders of
  // docs/ARCHITECTURE.md, "Where code goes"; common/ is bundled too).
  const extensionFolders = ['common', 'core', 'features', 'offscreen', 'panel', 'entrypoints'];
  const extensionFiles = (await Promise.all(extensionFolders.map(sourceFiles))).flat();
  const copyleft = Object.entries(EXCEPTIONS).filter(([, exception]) => exception.companionOnly);
  for (const file of extensionFiles) {
    const text = await readFile(file, 'utf8');
    for (const [name] of copyleft) {
      if (text.includes(`'${name}`) || text.includes(`"${name}`)) {
        problems.push(`${path.relative(ROOT, file)} imports ${name}, which may only be used by the GPL companion`);
      }
    }
  }

  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const notices = await readFile(path.join(ROOT, 'THIRD_PARTY_NOTICES.md'), 'utf8');
  for (const name of Object.keys(manifest.dependencies)) {
    if (!notices.includes(`\`${name}\``)) problems.push(`THIRD_PARTY_NOTICES.md does not name \`${name}\``);
  }

  // The voices the companion fetches are not npm packages, but they are offered to learners all the same.
  for (const pack of Object.values(VOICE_PACKS)) {
    if (!isAllowedExpression(pack.spdx)) {
      problems.push(`the voice ${pack.id} is licensed "${pack.spdx}", which is not on the allow list`);
    }
    if (!notices.includes(pack.id)) problems.push(`THIRD_PARTY_NOTICES.md does not name the voice ${pack.id}`);
  }

  if (problems.length) {
    console.error(`Licence check failed:\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.info(
    `Licences: ${Object.keys(packages).length} runtime packages and ${Object.keys(VOICE_PACKS).length} voices checked, ` +
      'all allowed; notices name every direct dependency and voice.',
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(`licence check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
