import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { neuralVoiceSpec } from './neural.ts';

describe("the bench's default neural voice", () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the companion with Piper from the voice packages', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-neural-'));
    await mkdir(path.join(dir, 'piper'));
    for (const file of ['en_US-joe-medium.onnx', 'en_US-joe-medium.onnx.json', 'en_US-joe-medium.MODEL_CARD'])
      await writeFile(path.join(dir, 'piper', file), 'x');
    expect(neuralVoiceSpec(dir)).toMatchObject({
      engine: 'piper',
      voice: 'en_US-joe-medium',
      args: ['--voice-file', path.join(dir, 'piper', 'en_US-joe-medium.onnx')],
      neural: true,
    });
  });

  it('fails naming npm run setup:voices when the voice package is not there', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-neural-'));
    expect(() => neuralVoiceSpec(dir)).toThrow(/en_US-joe-medium\.onnx is missing: run npm run setup:voices/);
  });
});
