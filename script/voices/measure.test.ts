import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompanionProcess, type CompanionProcess } from '../bench/companion-process.ts';
import { ESPEAK } from './engines.ts';
import { LISTEN_SLOWLY_SPEED, speak, treeRssBytes, waitForVoice } from './measure.ts';

describe('what bench:voices and the clarity test measure, on an eSpeak companion process', () => {
  let companion: CompanionProcess;
  beforeAll(async () => {
    companion = await startCompanionProcess(ESPEAK.engine, () => {}, ESPEAK.args);
    await waitForVoice(companion.url, ESPEAK);
  });
  afterAll(async () => {
    await companion?.close();
  });

  it('never takes eSpeak standing in for a neural voice as that voice', async () => {
    const notPiper = { label: 'piper en-us', engine: 'piper', voice: 'en-us', args: [], neural: true };
    await expect(waitForVoice(companion.url, notPiper)).rejects.toThrow(/does not list en-us as a piper voice/);
  });

  it("counts the server's memory, not only tsx's launcher", async () => {
    const own = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${companion.pid}/status`, 'utf8'));
    const tree = await treeRssBytes(companion.pid!);
    // The server (eSpeak NG's WebAssembly, its worker) lives in the launcher's child.
    expect(tree).toBeGreaterThan(Number(own![1]) * 1024 + 30 * 1024 * 1024);
  });

  it('times a WAV answer and reads its length; Listen slowly is longer', async () => {
    const text = 'Could you tell me a little more about your family?';
    const normal = await speak(companion.url, text);
    const slow = await speak(companion.url, text, { speed: LISTEN_SLOWLY_SPEED });
    expect(normal.ttfbMs).toBeGreaterThan(0);
    expect(normal.ttfbMs).toBeLessThanOrEqual(normal.totalMs);
    expect(normal.audioSeconds).toBeGreaterThan(1.5);
    expect(normal.audioSeconds).toBeLessThan(6);
    expect(slow.audioSeconds / normal.audioSeconds).toBeGreaterThan(1.2);
  });
});
