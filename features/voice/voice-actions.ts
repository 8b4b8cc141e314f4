import { newId } from '@/core/db/schema';
import type { TurnRunner } from '../talk/turn-runner';
import type { SampleVoice } from '../talk/turn-machine';
import type { NaturalVoiceWatch } from './natural-voice';
import { VOICE_SAMPLE_TEXT } from './voice-options';

/**
 * What the panel's views may do with the teacher's voice (VoiceField.tsx, NaturalVoiceNoticeView.tsx):
 * the natural voice's download notice, and a sample played through the turn, so that it never plays
 * over the learner or the teacher.
 */
export function voiceActions(naturalVoice: NaturalVoiceWatch, turn: TurnRunner) {
  return {
    /** The natural voice's fetch progress, or why it failed (null when there is nothing to say). */
    naturalVoiceNotice: naturalVoice.notice,
    naturalVoiceAnnouncement: naturalVoice.announcement,
    hideNaturalVoiceNotice: naturalVoice.hide,
    /** How the latest voice sample went (Settings › Voice). */
    voiceSample: turn.sample,
    /**
     * Plays the sample line in `voice` through the teacher's voice; returns the sample's id, or null
     * when the learner or the teacher is speaking (a sample never plays over them).
     */
    playVoiceSample(voice: SampleVoice): string | null {
      const id = `sample-${newId()}`;
      turn.dispatch({ type: 'read-out', id, text: VOICE_SAMPLE_TEXT, slow: false, sample: voice });
      return turn.state.value.readOut?.id === id ? id : null;
    },
    stopVoiceSample(id: string): void {
      turn.dispatch({ type: 'stop-read-out', id });
    },
  };
}
