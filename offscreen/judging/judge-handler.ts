import type { PronunciationJudge } from '../pronunciation/judge';
import type { JudgeWorkerReply, JudgeWorkerRequest } from './protocol';

/**
 * What the pronunciation worker does with each request (judge-worker.ts), apart from the worker itself so it
 * can be tested in Node: the judge is loaded on the first request and reused; a load that failed is tried again
 * on the next request (a model file that could not be fetched once may be fetched the next time).
 */
export function createJudgeHandler(load: (modelBase: string) => Promise<PronunciationJudge>) {
  let loading: Promise<PronunciationJudge> | undefined;

  return async function handle(request: JudgeWorkerRequest): Promise<JudgeWorkerReply> {
    const { id, modelBase, pcm, text } = request;
    let judge: PronunciationJudge;
    let loadMs: number | undefined;
    try {
      if (!loading) {
        const started = performance.now();
        loading = load(modelBase);
        judge = await loading;
        loadMs = Math.round(performance.now() - started);
      } else {
        judge = await loading;
      }
    } catch (error) {
      loading = undefined;
      return { id, failed: 'load', detail: detailOf(error) };
    }
    try {
      const judgement = judge.judge(pcm, text);
      return loadMs === undefined ? { id, judgement } : { id, judgement, loadMs };
    } catch (error) {
      return { id, failed: 'judge', detail: detailOf(error) };
    }
  };
}

function detailOf(error: unknown): string {
  // Emscripten rejects with strings ("failed to load wasm binary file at …"), not Errors.
  return error instanceof Error ? error.message : String(error);
}
