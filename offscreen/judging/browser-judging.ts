import { decodeForJudge } from './decode-audio';
import JudgeWorker from './judge-worker?worker';
import { createPronunciationJudging, type PronunciationJudging } from './pronunciation-judging';

/**
 * The judge as the recording document runs it: in a module worker (Vite bundles judge-worker.ts; the build puts
 * it, the recogniser's .wasm and its model under /soundswallower/, see wxt.config.ts).
 */
export function browserJudging(audioOf: (recordingId: string) => Promise<Blob | undefined>): PronunciationJudging {
  return createPronunciationJudging({
    startWorker: () => new JudgeWorker(),
    // The model's files are added to the build by a hook, so WXT's list of public paths does not name them.
    modelBase: chrome.runtime.getURL('/soundswallower/model/'),
    audioOf,
    decode: decodeForJudge,
  });
}
