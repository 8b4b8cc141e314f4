import { t } from '../../core/i18n';
import type { JudgePronunciationReply, JudgePronunciationRequest } from '../../core/messages';
import type { JudgeWorkerReply, JudgeWorkerRequest } from './protocol';

/**
 * The recording document's side of the pronunciation judge: it finds the attempt's audio, decodes it to what
 * the judge takes, and has the judge's worker (judge-worker.ts) judge it. The worker is started on the first
 * request and kept; one that could not start (its script or WebAssembly refused) is started again next time.
 */

/** The part of a Worker used here, so tests can stand one in. */
export interface JudgeWorkerLike {
  onmessage: ((event: MessageEvent<JudgeWorkerReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: JudgeWorkerRequest, transfer: Transferable[]): void;
  terminate(): void;
}

export interface PronunciationJudgingDeps {
  startWorker(): JudgeWorkerLike;
  /** The folder holding the model's `en-us/`, as a URL ending in '/'. */
  modelBase: string;
  /** The attempt's audio, if this document still has it. */
  audioOf(recordingId: string): Promise<Blob | undefined>;
  decode(blob: Blob): Promise<Float32Array>;
}

export type PronunciationJudging = ReturnType<typeof createPronunciationJudging>;

export function createPronunciationJudging({ startWorker, modelBase, audioOf, decode }: PronunciationJudgingDeps) {
  let worker: JudgeWorkerLike | undefined;
  let nextId = 1;
  const waiting = new Map<number, (reply: JudgeWorkerReply) => void>();

  function workerNow(): JudgeWorkerLike {
    if (worker) return worker;
    const started = startWorker();
    started.onmessage = (event) => {
      const resolve = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      resolve?.(event.data);
    };
    // Fired when the worker's script could not be loaded or threw at the top level: every request waiting
    // on it fails as a load failure, and the next request starts a new worker.
    started.onerror = (event) => {
      event.preventDefault();
      if (worker === started) worker = undefined;
      started.terminate();
      const detail = event.message || 'the worker stopped';
      for (const [id, resolve] of waiting) resolve({ id, failed: 'load', detail });
      waiting.clear();
    };
    worker = started;
    return started;
  }

  async function judge({ recordingId, text }: JudgePronunciationRequest): Promise<JudgePronunciationReply> {
    const blob = await audioOf(recordingId);
    if (!blob) return { kind: 'error', message: t('correction.attemptLost') };
    let pcm: Float32Array;
    try {
      pcm = await decode(blob);
    } catch (error) {
      return { kind: 'error', message: t('recorder.judgeCouldNotDecode', { detail: detailOf(error) }) };
    }
    const id = nextId++;
    const reply = await new Promise<JudgeWorkerReply>((resolve) => {
      waiting.set(id, resolve);
      try {
        workerNow().postMessage({ id, modelBase, pcm, text }, [pcm.buffer]);
      } catch (error) {
        waiting.delete(id);
        resolve({ id, failed: 'load', detail: detailOf(error) });
      }
    });
    if ('judgement' in reply) {
      loadedIn(reply.loadMs);
      return reply.judgement;
    }
    if ('loaded' in reply) return { kind: 'error', message: t('recorder.judgeFailed', { detail: 'no judgement' }) };
    const key = reply.failed === 'load' ? 'recorder.judgeCouldNotLoad' : 'recorder.judgeFailed';
    return { kind: 'error', message: t(key, { detail: reply.detail }) };
  }

  function loadedIn(loadMs: number | undefined): void {
    if (loadMs !== undefined) console.info(`AITalk: the pronunciation judge loaded in ${loadMs} ms`);
  }

  /**
   * A practice attempt is being recorded: the judge loads meanwhile (its first load takes longer than the
   * judgement itself). A load that fails here is tried again, and reported, by the judgement's own request.
   */
  function warm(): void {
    const id = nextId++;
    waiting.set(id, (reply) => {
      if ('loaded' in reply) loadedIn(reply.loadMs);
    });
    try {
      workerNow().postMessage({ id, modelBase, load: true }, []);
    } catch {
      // The judgement's own request starts it again and says why it cannot.
      waiting.delete(id);
    }
  }

  return {
    judge,
    warm,
    dispose(): void {
      worker?.terminate();
      worker = undefined;
    },
  };
}

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
