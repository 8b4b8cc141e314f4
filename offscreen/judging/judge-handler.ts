import type { PronunciationJudge } from '../pronunciation/judge';
import type { JudgeWorkerReply, JudgeWorkerRequest } from './protocol';

/**
 * What the pronunciation worker does with each request (judge-worker.ts), apart from the worker itself so it
 * can be tested in Node: the judge is loaded by the first request and reused; a load that failed is tried again
 * by the next request (a model file that could not be fetched once may be fetched the next time).
 */
export function createJudgeHandler(load: (modelBase: string) => Promise<PronunciationJudge>) {
  let loading: Promise<PronunciationJudge> | undefined;

  /** The judge, and how long loading it took if this call loaded it. */
  async function judgeNow(modelBase: string): Promise<{ judge: PronunciationJudge; loadMs?: number }> {
    if (loading) return { judge: await loading };
    const started = performance.now();
    loading = load(modelBase);
    try {
      return { judge: await loading, loadMs: Math.round(performance.now() - started) };
    } catch (error) {
      loading = undefined;
      throw error;
    }
  }

  return async function handle(request: JudgeWorkerRequest): Promise<JudgeWorkerReply> {
    const { id } = request;
    let loaded: { judge: PronunciationJudge; loadMs?: number };
    try {
      loaded = await judgeNow(request.modelBase);
    } catch (error) {
      return { id, failed: 'load', detail: detailOf(error) };
    }
    const timing = loaded.loadMs === undefined ? {} : { loadMs: loaded.loadMs };
    if ('load' in request) return { id, loaded: true, ...timing };
    try {
      return { id, judgement: loaded.judge.judge(request.pcm, request.text), ...timing };
    } catch (error) {
      return { id, failed: 'judge', detail: detailOf(error) };
    }
  };
}

function detailOf(error: unknown): string {
  // Emscripten rejects with strings ("failed to load wasm binary file at …"), not Errors.
  return error instanceof Error ? error.message : String(error);
}
