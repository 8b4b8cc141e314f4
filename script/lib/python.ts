import { spawnSync } from 'node:child_process';

/** A Python's major and minor version, or null when it cannot be run. */
export function pythonVersion(python: string): [number, number] | null {
  const result = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
  const match = /^(\d+)\.(\d+)/.exec(String(result.stdout ?? '').trim());
  return result.status === 0 && match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * The Python a setup script builds its venv from: AITALK_BASE_PYTHON if set, else the first usual name whose
 * version is 3.`minor.min`–3.`minor.max`. Throws `fail(message)` saying what was found and what to install.
 */
export function findBasePython(
  what: string,
  minor: { min: number; max: number },
  fail: (message: string) => Error,
): string {
  const candidates = process.env.AITALK_BASE_PYTHON
    ? [process.env.AITALK_BASE_PYTHON]
    : ['python3.11', 'python3.12', 'python3.13', 'python3.10', 'python3', 'python'];
  const seen: string[] = [];
  for (const candidate of candidates) {
    const version = pythonVersion(candidate);
    if (!version) continue;
    if (version[0] === 3 && version[1] >= minor.min && version[1] <= minor.max) return candidate;
    seen.push(`${candidate} is ${version.join('.')}`);
  }
  throw fail(
    `${what} needs Python 3.${minor.min}-3.${minor.max} (${seen.length ? seen.join(', ') : 'no python3 found'}). ` +
      'Install one (Debian: apt install python3 python3-venv) or point AITALK_BASE_PYTHON at it.',
  );
}
