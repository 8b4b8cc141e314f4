import { describe, expect, it, vi } from 'vitest';
import type { PronunciationJudge } from '../pronunciation/judge';
import type { PronunciationResult } from '../../core/pronunciation';
import { createJudgeHandler } from './judge-handler';

/** The worker's handling of requests, with a stand-in judge (the real one: offscreen/pronunciation/judge.test.ts). */

const JUDGED: PronunciationResult = { kind: 'judged', score: 80, words: [], soundsToWorkOn: [], elapsedMs: 100 };
const request = (id: number) => ({ id, modelBase: 'base/', pcm: new Float32Array(16), text: 'Hello there' });

describe('the pronunciation worker', () => {
  it('loads the judge on the first request only, and says how long the load took', async () => {
    const judge: PronunciationJudge = { judge: vi.fn(() => JUDGED) };
    const load = vi.fn(async () => judge);
    const handle = createJudgeHandler(load);
    const first = await handle(request(1));
    expect(first).toEqual({ id: 1, judgement: JUDGED, loadMs: expect.any(Number) as unknown });
    expect(await handle(request(2))).toEqual({ id: 2, judgement: JUDGED });
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith('base/');
    expect(judge.judge).toHaveBeenLastCalledWith(expect.any(Float32Array), 'Hello there');
  });

  it('loads the judge when asked to before any judgement, and the judgement then does not wait for it', async () => {
    const load = vi.fn(async () => ({ judge: () => JUDGED }));
    const handle = createJudgeHandler(load);
    expect(await handle({ id: 1, modelBase: 'base/', load: true })).toEqual({
      id: 1,
      loaded: true,
      loadMs: expect.any(Number) as unknown,
    });
    expect(await handle(request(2))).toEqual({ id: 2, judgement: JUDGED });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('says the load failed, and tries to load again on the next request', async () => {
    const load = vi
      .fn<(base: string) => Promise<PronunciationJudge>>()
      .mockRejectedValueOnce('failed to load wasm binary file')
      .mockResolvedValueOnce({ judge: () => JUDGED });
    const handle = createJudgeHandler(load);
    expect(await handle(request(1))).toEqual({ id: 1, failed: 'load', detail: 'failed to load wasm binary file' });
    expect(await handle(request(2))).toMatchObject({ id: 2, judgement: JUDGED });
  });

  it('says the judge failed on this audio, and keeps the loaded judge', async () => {
    const judge = vi.fn<PronunciationJudge['judge']>(() => {
      throw new Error('memory access out of bounds');
    });
    const load = vi.fn(async () => ({ judge }));
    const handle = createJudgeHandler(load);
    expect(await handle(request(1))).toEqual({ id: 1, failed: 'judge', detail: 'memory access out of bounds' });
    judge.mockReturnValueOnce(JUDGED);
    expect(await handle(request(2))).toMatchObject({ judgement: JUDGED });
    expect(load).toHaveBeenCalledTimes(1);
  });
});
