import { signal } from '@preact/signals';
import { t } from '@/core/i18n';
import type { SavedRecording } from '@/core/messages';
import type { PronunciationJudgement } from '@/core/pronunciation';
import { compareAttempt, type AttemptComparison } from '../corrections/word-diff';
import type { SettingsSync } from '../settings/settings-sync';
import type { RecorderClient } from './recorder-client';
import { transcribe } from './teacher-api';
import type { PracticeTarget, TurnEvent } from './turn-machine';

/**
 * Practice attempts ("Say it again", "Read it aloud"): the recording is transcribed and compared
 * with its text word by word on this computer, never sent to the teacher, and its audio deleted.
 */

/** What a practice attempt came to: what was heard, and word by word against the text. */
export interface PracticeResult {
  target: PracticeTarget;
  /** What the transcription heard; '' for the kinds judged on this computer only (see PracticeTarget). */
  said: string;
  /** Word by word against the text, from the transcription; absent for the kinds judged on this computer only. */
  comparison?: AttemptComparison;
  /** How it was said, judged on this computer (offscreen/pronunciation/); absent if the judge could not run. */
  pronunciation?: PronunciationJudgement;
  durationMs: number;
  at: number;
}

export interface PracticeAttemptsDeps {
  recorder: RecorderClient;
  settings: SettingsSync;
  dispatch(event: TurnEvent): void;
  /** A practice attempt was judged (the notebook updates the item's review). */
  onAttempt?(result: PracticeResult): Promise<void>;
}

export type PracticeAttempts = ReturnType<typeof createPracticeAttempts>;

interface Judging {
  abort: AbortController;
  /** The conversation was left, or the panel closed: the attempt is not judged. */
  abandoned: boolean;
  done: Promise<void>;
}

export function createPracticeAttempts({ recorder, settings, dispatch, onAttempt }: PracticeAttemptsDeps) {
  /** The latest result of each practice target, by its id. */
  const attempts = signal<Record<string, PracticeResult>>({});
  let current: Judging | null = null;

  function judge(recording: SavedRecording, target: PracticeTarget): Promise<void> {
    const judging: Judging = { abort: new AbortController(), abandoned: false, done: Promise.resolve() };
    judging.done = judgeAttempt(judging, recording, target).finally(() => {
      if (current === judging) current = null;
    });
    current = judging;
    return judging.done;
  }

  async function judgeAttempt(judging: Judging, recording: SavedRecording, target: PracticeTarget): Promise<void> {
    try {
      const handed = await recorder.takeAudio(recording.recordingId);
      const stored = handed ? { blob: handed } : await recorder.read(recording.recordingId);
      if (!stored) throw new Error(t('correction.attemptLost'));
      // No prompt: a prompt holding (or hinting at) the target would let the transcription
      // "hear" what the learner was meant to say rather than what they said.
      const endpoint = { ...settings.endpoints.value.transcription, prompt: '' };
      const { text } = await transcribe(endpoint, stored.blob, recording.mimeType, { signal: judging.abort.signal });
      if (judging.abandoned) return;
      const result: PracticeResult = {
        target,
        said: text,
        comparison: compareAttempt(target.text, text),
        durationMs: recording.durationMs,
        at: Date.now(),
      };
      attempts.value = { ...attempts.value, [target.id]: result };
      await onAttempt?.(result);
      dispatch({ type: 'attempt-judged', targetId: target.id });
    } catch (error) {
      if (!judging.abandoned) throw error;
    } finally {
      // The attempt's audio is not part of any conversation.
      await recorder.discard(recording.recordingId);
    }
  }

  /** Stops judging the attempt under way (its upload is aborted); resolves once its audio is deleted. */
  async function abandon(): Promise<void> {
    const judging = current;
    current = null;
    if (!judging) return;
    judging.abandoned = true;
    judging.abort.abort();
    await judging.done.catch(() => undefined);
  }

  return { attempts, judge, abandon };
}
