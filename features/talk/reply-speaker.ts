import { onMessage, sendMessage, type CompanionTarget, type SpeechEvent, type StopSpeechReply } from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';
import { levelVoiceSpeed } from '@/features/talk/teacher-prompt';
import type { SettingsSync } from '../settings/settings-sync';

/**
 * The teacher's voice through the companion: each sentence goes to the offscreen document as soon
 * as it is complete, which synthesises the next while this one plays. Replies and read-outs
 * (features/listening/read-out.ts) share it: the messaging library allows one speech-event listener
 * per page, so each speech turn's events go to whoever listens for that turn's id.
 */
export type ReplySpeaker = ReturnType<typeof createReplySpeaker>;

export function createReplySpeaker(link: PanelLink) {
  const ref = { panelId: link.panelId };
  const listeners = new Map<string, (event: SpeechEvent) => void>();
  const stopListening = onMessage('sidepanel:speech-event', ({ data }) => listeners.get(data.turnId)?.(data));

  return {
    /** Hears one speech turn's events (another panel's, or an ended turn's, reach nobody). */
    listen(turnId: string, onEvent: (event: SpeechEvent) => void): () => void {
      listeners.set(turnId, onEvent);
      return () => {
        if (listeners.get(turnId) === onEvent) listeners.delete(turnId);
      };
    },
    /** Queues one sentence; rejects when the voice player could not be reached. */
    speak(turnId: string, text: string, companion: CompanionTarget): Promise<number> {
      return link.call(() => sendMessage('offscreen:speak', { ...ref, turnId, text, companion }));
    },
    /** No more sentences are coming for this turn. */
    end(turnId: string): Promise<void> {
      return link.call(() => sendMessage('offscreen:end-speech', { turnId }));
    },
    /** Silences this panel's voice now; says which sentences of its turn were heard. */
    stop(): Promise<StopSpeechReply> {
      return link.call(() => sendMessage('offscreen:stop-speech', ref));
    },
    dispose(): void {
      stopListening();
      listeners.clear();
    },
  };
}

/** The learner's speed setting, paced for their level (slower voices for A2 and B1), times `pace`. */
export function voiceSpeed(settings: SettingsSync, pace = 1): number {
  const { speed, level } = settings.settings.value;
  return Math.round(speed * levelVoiceSpeed(level) * pace * 100) / 100;
}

/** Where the companion is and how it speaks, as the settings say now. */
export function companionTarget(settings: SettingsSync, pace = 1): CompanionTarget {
  const { companionUrl, companionToken, voice } = settings.settings.value;
  return { url: companionUrl, token: companionToken, voice, speed: voiceSpeed(settings, pace) };
}
