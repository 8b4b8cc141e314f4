import { computed } from '@preact/signals';
import { newId } from '@/core/db/schema';
import { t } from '@/core/i18n';
import type { Shown } from '../../panel/shown';
import type { SettingsSync } from '../settings/settings-sync';
import { createAttemptWords } from './attempt-playback';
import type { PracticeTarget } from './turn-machine';
import type { TurnRunner } from './turn-runner';

export interface PracticeActionsDeps {
  turn: TurnRunner;
  settings: SettingsSync;
  /** Says a text in the teacher's voice between turns (the panel's read-out). */
  readOut(id: string, text: string, slow: boolean): void;
  shown: Shown;
}

/**
 * What the panel's views may do with practice attempts ("Say it again", "Read it aloud", Repeat
 * after me, a sound drill): start or send one, and play back a word of the latest judged attempt.
 */
export function practiceActions({ turn, settings, readOut, shown }: PracticeActionsDeps) {
  const attemptWords = createAttemptWords({
    attempts: turn.attempts,
    audioOf: turn.attemptAudio,
    say: (text) => readOut(`word-${newId()}`, text, false),
  });

  return {
    /** The practice target being recorded or judged, if any. */
    practice: computed(() => turn.state.value.practice),
    /** The latest result of each practice target, by id. */
    attempts: turn.attempts,
    /** A word of the latest attempt at a practice target: the learner's own recording of it, then the teacher's voice. */
    playAttemptWord: shown(() => t('app.actionPlayWord'), attemptWords),
    /** "Say it again" / "Read it aloud": records an attempt at once; called again, sends it. */
    practise(target: PracticeTarget): void {
      turn.dispatch({ type: 'practise', target, hasKey: settings.hasKey.value });
    },
  };
}
