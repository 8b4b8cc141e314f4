import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness';

const run = promisify(execFile);

/**
 * The offscreen document seen from inside (script/check-offscreen.ts attaches to it over CDP):
 * the microphone is really released after every turn, the recording is real webm/opus holding
 * the whole sentence, hands-free keeps a pause inside a sentence, barge-in stops every clip, and
 * the permission states. Each check prints one line; any failed one fails this test.
 */
describe('the offscreen document, from inside', () => {
  it('passes every check of script/check-offscreen.ts', async () => {
    const result = await run(
      path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
      [path.join(REPO_ROOT, 'script/check-offscreen.ts')],
      { cwd: REPO_ROOT, timeout: 150_000 },
    ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    const failed = output.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failed, output).toEqual([]);
    expect(output).toContain('all checks passed');
    expect(output).toMatch(/ok +the microphone and its audio graph are released after stop/);
  }, 180_000);
});
