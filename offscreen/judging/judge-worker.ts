import { loadJudge } from '../pronunciation/judge';
import type { JudgeWorkerReply, JudgeWorkerRequest } from './protocol';
import { createJudgeHandler } from './judge-handler';

/**
 * The pronunciation judge's own thread: a judgement blocks for 100–300 ms and the model's first load for longer,
 * which on the recording document's main thread would stall the teacher's voice and the microphone's meter.
 * The document starts it on the first request (not when it opens: it mostly only records), and it keeps
 * soundswallower and its model loaded while the document lives.
 */

/** The worker's global scope, as far as it is used (the project's types are the DOM's, not a worker's). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<JudgeWorkerRequest>) => void) | null;
  postMessage(message: JudgeWorkerReply): void;
}
const scope = self as unknown as WorkerScope;

const handle = createJudgeHandler(loadJudge);

scope.onmessage = (event: MessageEvent<JudgeWorkerRequest>) => {
  void handle(event.data).then((reply: JudgeWorkerReply) => scope.postMessage(reply));
};
