import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .trim()
  .split('\n')
  .filter((file) => existsSync(path.join(ROOT, file)));
const SOURCE = tracked.filter(
  (file) => /\.(ts|tsx|py|css)$/.test(file) && !file.includes('/openapi/') && !file.endsWith('.d.ts'),
);

/** Every file path a comment or string names: `dir/name.ext`, as written in this project's prose. */
function namedPaths(text: string): string[] {
  const found = text.matchAll(
    /(?<![\w./@:-])((?:\.\.\/)*[\w.-]+(?:\/[\w.-]+)+\.(?:ts|tsx|md|py|yml|json|css|html))\b/g,
  );
  return [...found].map((match) => match[1]!);
}

describe('the repository explains itself', () => {
  it('every file a source comment names is in the repository (no pointers to files a reader cannot open)', () => {
    const missing: string[] = [];
    for (const file of SOURCE) {
      for (const named of namedPaths(readFileSync(path.join(ROOT, file), 'utf8'))) {
        // Files of a dependency (coqui-tts's TTS/ package), the build's _locales/ and the companion's voice store
        // (piper/…, kokoro/… under ~/.cache/aitalk/voices) are named on purpose.
        if (/^(TTS|_locales|piper|kokoro)\//.test(named)) continue;
        // A dependency's own file, imported by its package path (uPlot's stylesheet).
        if (existsSync(path.join(ROOT, 'node_modules', named))) continue;
        // Relative to the repository's root (prose), or to the file's folder or one above it (a relative import).
        const folders = path.dirname(file).split('/');
        const candidates = [ROOT, ...folders.map((_, i) => path.join(ROOT, ...folders.slice(0, i + 1)))];
        if (!candidates.some((folder) => existsSync(path.join(folder, named)))) missing.push(`${file}: ${named}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no comment cites a conventions file from outside the repository', () => {
    const citing = SOURCE.filter((file) =>
      /CONVENTIONS\.md|\.\.\/shared\//.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(citing).toEqual([]);
  });

  it('the architecture the comments point to is written down', () => {
    const architecture = readFileSync(path.join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
    const headings = new Set([...architecture.matchAll(/^#+ (.+)$/gm)].map((match) => match[1]!.trim()));
    const cited: string[] = [];
    for (const file of SOURCE) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const match of text.matchAll(/docs\/ARCHITECTURE\.md, "([^"]+)"/g)) cited.push(match[1]!);
    }
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((heading) => !headings.has(heading))).toEqual([]);
  });
});
