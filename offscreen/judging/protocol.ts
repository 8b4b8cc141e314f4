import type { PronunciationJudgement } from '../../core/pronunciation';

/**
 * Messages between the recording document and its pronunciation worker (judge-worker.ts). The worker has no
 * chrome.* APIs (no i18n), so it says what failed and the document puts it into the learner's words.
 */

export type JudgeWorkerRequest =
  | {
      id: number;
      /** The folder holding the recogniser's `en-us/` model, ending in '/' (a URL of this extension). */
      modelBase: string;
      /** 16 kHz mono samples (-1…1); transferred, not copied. */
      pcm: Float32Array;
      text: string;
    }
  /** Load the judge now, while the learner is still speaking, so the judgement does not wait for it. */
  | { id: number; modelBase: string; load: true };

export type JudgeWorkerReply =
  | { id: number; judgement: PronunciationJudgement; loadMs?: number }
  | { id: number; loaded: true; loadMs?: number }
  /** 'load': the recogniser or its model could not be loaded; 'judge': it loaded but failed on this audio. */
  | { id: number; failed: 'load' | 'judge'; detail: string };
