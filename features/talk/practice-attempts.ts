import { signal } from '@preact/signals';
import { t } from '@/core/i18n';
import type { SavedRecording } from '@/core/messages';
import type { PronunciationJudgement } from '@/core/pronunciation';
import { isSilentRecording } from '@/core/recording-checks';
import { compareAttempt, type AttemptComparison } from '../corrections/word-diff';
import type { SettingsSync } from '../settings/settings-sync';
import type { RecorderClient } from './recorder-client';
import { transcribe } from './teacher-api';
import type { PracticeTarget, TurnEvent } from './turn-machine';

/**
 * Practice attempts ("Say it again", "Read it aloud", "Repeat after me", a sound's drill): the recording is
 * judged for pronunciation on this computer and, for the kinds that are (see PracticeTarget), transcribed and
 * compared with its text word by word at the same time; never sent to the teacher, and its audio deleted from
 * IndexedDB. The latest attempt at each target keeps its audio in memory, so the learner can hear a word of it.
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

/** The kinds whose attempts are also transcribed; the others are judged on this computer only. */
const TRANSCRIBED: ReadonlySet<PracticeTarget['kind']> = new Set(['say-again', 'read-aloud']);

export function createPracticeAttempts({ recorder, settings, dispatch, onAttempt }: PracticeAttemptsDeps) {
  /** The latest result of each practice target, by its id. */
  const attempts = signal<Record<string, PracticeResult>>({});
  /** The audio of the latest attempt at each target, by its id, for playing a word of it back. */
  const audio = new Map<string, Blob>();
  let current: Judging | null = null;

  function judge(recording: SavedRecording, target: PracticeTarget): Promise<void> {
    const judging: Judging = { abort: new AbortController(), abandoned: false, done: Promise.resolve() };
    judging.done = judgeAttempt(judging, recording, target).finally(() => {
      if (current === judging) current = null;
    });
    current = judging;
    return judging.done;
  }

  /** The attempt's audio: handed over in memory, else read back from IndexedDB. */
  async function audioOf(recording: SavedRecording): Promise<Blob | undefined> {
    const handed = await recorder.takeAudio(recording.recordingId);
    return handed ?? (await recorder.read(recording.recordingId))?.blob;
  }

  /** The judgement, or why there is none (an Error saying what to do). */
  async function pronunciationOf(recording: SavedRecording, target: PracticeTarget) {
    const reply = await recorder.judgePronunciation(recording.recordingId, target.text);
    if (reply.kind === 'error') throw new Error(reply.message);
    return reply;
  }

  async function judgeAttempt(judging: Judging, recording: SavedRecording, target: PracticeTarget): Promise<void> {
    try {
      // Nothing heard is not worth a request: the judge alone says so.
      const transcribed = TRANSCRIBED.has(target.kind) && !isSilentRecording(recording);
      // The judge is asked first and at once: the recording document holds the audio for it only until the
      // attempt is discarded below, and it runs beside the transcription rather than after it.
      const pronouncing = pronunciationOf(recording, target);
      const reading = audioOf(recording);
      const hearing = transcribed ? reading.then((blob) => transcribeAttempt(judging, blob, recording)) : undefined;
      const [pronounced, heard, blob] = await Promise.allSettled([pronouncing, hearing, reading]);
      if (judging.abandoned) return;
      const pronunciation = pronounced.status === 'fulfilled' ? pronounced.value : undefined;
      if (pronounced.status === 'rejected') console.warn('AITalk: the attempt was not judged', pronounced.reason);
      // A failed judge leaves the word comparison; a failed transcription leaves the judgement (and says why).
      const failure = hearing
        ? heard.status === 'rejected'
          ? (heard.reason as unknown)
          : undefined
        : pronounced.status === 'rejected'
          ? (pronounced.reason as unknown)
          : undefined;
      const said = heard.status === 'fulfilled' ? heard.value : undefined;
      if (said === undefined && !pronunciation) throw failure;
      const result: PracticeResult = {
        target,
        said: said ?? '',
        durationMs: recording.durationMs,
        at: Date.now(),
      };
      if (said !== undefined) result.comparison = compareAttempt(target.text, said);
      if (pronunciation) result.pronunciation = pronunciation;
      attempts.value = { ...attempts.value, [target.id]: result };
      if (blob.status === 'fulfilled' && blob.value) audio.set(target.id, blob.value);
      else audio.delete(target.id);
      await onAttempt?.(result);
      if (failure !== undefined) throw failure;
      dispatch({ type: 'attempt-judged', targetId: target.id });
    } catch (error) {
      if (!judging.abandoned) throw error;
    } finally {
      // The attempt's audio is not part of any conversation.
      await recorder.discard(recording.recordingId);
    }
  }

  async function transcribeAttempt(judging: Judging, blob: Blob | undefined, recording: SavedRecording) {
    if (!blob) throw new Error(t('correction.attemptLost'));
    // No prompt: a prompt holding (or hinting at) the target would let the transcription
    // "hear" what the learner was meant to say rather than what they said.
    const endpoint = { ...settings.endpoints.value.transcription, prompt: '' };
    const { text } = await transcribe(endpoint, blob, recording.mimeType, { signal: judging.abort.signal });
    return text;
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

  return {
    attempts,
    judge,
    abandon,
    /** The audio of the latest attempt at this target, while the conversation it was made in is open. */
    audioOf: (targetId: string): Blob | undefined => audio.get(targetId),
    /** The conversation is left or the panel closes: the attempts' audio goes. */
    forgetAudio(): void {
      audio.clear();
    },
  };
}
