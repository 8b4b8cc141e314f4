import { onMessage, sendMessage, type CompanionTarget, type SpeechEvent, type StopSpeechReply } from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';

/**
 * The teacher's voice through the companion: each sentence of a reply goes to the offscreen
 * document as soon as it is complete, which synthesises the next while this one plays. Only the
 * speech events of this panel's replies come back through `onEvent`.
 */
export type ReplySpeaker = ReturnType<typeof createReplySpeaker>;

export function createReplySpeaker(
  link: PanelLink,
  isOurs: (turnId: string) => boolean,
  onEvent: (event: SpeechEvent) => void,
) {
  const ref = { panelId: link.panelId };
  const stopListening = onMessage('sidepanel:speech-event', ({ data }) => {
    if (isOurs(data.turnId)) onEvent(data);
  });

  return {
    /** Queues one sentence; rejects when the voice player could not be reached. */
    speak(turnId: string, text: string, companion: CompanionTarget): Promise<number> {
      return link.call(() => sendMessage('offscreen:speak', { ...ref, turnId, text, companion }));
    },
    /** No more sentences are coming for this reply. */
    end(turnId: string): Promise<void> {
      return link.call(() => sendMessage('offscreen:end-speech', { turnId }));
    },
    /** Silences this panel's reply now; says which sentences were heard. */
    stop(): Promise<StopSpeechReply> {
      return link.call(() => sendMessage('offscreen:stop-speech', ref));
    },
    dispose(): void {
      stopListening();
    },
  };
}
