import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recognizeSentence } from './lib/recognize.ts';
import { LEARNER_SENTENCE } from './make-samples.ts';
import { startStandin, type Standin } from './openai-standin/server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.resolve(here, '../node_modules/.bin/tsx');

let standin: Standin;
let dir: string;

beforeAll(async () => {
  [standin, dir] = await Promise.all([
    startStandin({ latencyProfile: 'fast', candidates: [LEARNER_SENTENCE, 'I like to read books in the evening.'] }),
    mkdtemp(path.join(os.tmpdir(), 'aitalk-smoke-test-')),
  ]);
});

afterAll(async () => {
  await standin?.close();
  await rm(dir, { recursive: true, force: true });
});

function smoke(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(here, script), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('smoke scripts against a compatible server', () => {
  const api = () => ({ OPENAI_API_KEY: standin.apiKey, OPENAI_BASE_URL: standin.url });

  it('smoke:transcribe prints the transcript of the committed sample', async () => {
    const result = await smoke('smoke-transcribe.ts', [], api());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`transcript: ${LEARNER_SENTENCE}`);
  });

  it('smoke:teacher prints the streamed reply', async () => {
    const result = await smoke('smoke-teacher.ts', ['Yesterday I eat rice.'], api());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('A better way to say it is: “Yesterday I ate rice.”');
    expect(result.stdout).toMatch(/first token after \d+ ms/);
  });

  it('smoke:speak writes a WAV of the sentence from any /v1/audio/speech server', async () => {
    const out = path.join(dir, 'spoken.wav');
    const result = await smoke('smoke-speak.ts', ['I like to read books in the evening.', out], {
      AITALK_COMPANION_URL: standin.origin,
      AITALK_TOKEN: standin.apiKey,
    });
    expect(result.code).toBe(0);
    expect(
      await recognizeSentence(await readFile(out), [LEARNER_SENTENCE, 'I like to read books in the evening.']),
    ).toBe('I like to read books in the evening.');
  });

  it('each says clearly what failed: a rejected key, no key, an unreachable companion', async () => {
    const rejected = await smoke('smoke-teacher.ts', [], { ...api(), OPENAI_API_KEY: 'sk-wrong-0000' });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr.trim()).toMatch(
      /^smoke:teacher FAILED: HTTP 401 \(invalid_api_key\): Incorrect API key provided/,
    );
    const noKey = await smoke('smoke-transcribe.ts', [], { OPENAI_BASE_URL: standin.url });
    expect(noKey.stderr.trim()).toBe(
      'smoke:transcribe FAILED: OPENAI_API_KEY is not set (export it, and OPENAI_BASE_URL for a server other than api.openai.com)',
    );
    // Port 9 (discard) on loopback: nothing listens there.
    const down = await smoke('smoke-speak.ts', [], { AITALK_COMPANION_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^smoke:speak FAILED: cannot reach the companion at http:\/\/127\.0\.0\.1:9 .*npm run companion/,
    );
  });
});
