import { batch, signal } from '@preact/signals';
import {
  onMessage,
  sendMessage,
  type RecorderEvent,
  type StartRecordingReply,
  type StopRecordingReply,
} from '@/utils/messages';
import type { PanelLink } from '@/utils/panel-link';
import { createHandoverReceiver, type HandoverReceiver } from '@/utils/recording-handover';
import { VAD_DEFAULTS } from '@/utils/voice-activity';

/**
 * Hands-free: a turn ends when the learner has been quiet for the detector's end-of-turn silence
 * (600 ms: measured by `npm run bench:vad` to keep a pause inside a sentence whole); 20 s of
 * silence ends listening.
 */
export const HANDS_FREE_VAD = { endSilenceMs: VAD_DEFAULTS.endSilenceMs, idleTimeoutMs: 20_000 };

/**
 * The panel's side of the microphone in the offscreen document: start, stop and cancel this
 * panel's recording, and hear only this panel's recorder events (each names its panel).
 */
export type RecorderClient = ReturnType<typeof createRecorderClient>;

export function createRecorderClient(
  link: PanelLink,
  onEvent: (event: RecorderEvent) => void,
  handover: HandoverReceiver = createHandoverReceiver(),
) {
  const level = signal(0);
  const elapsedMs = signal(0);
  const ref = { panelId: link.panelId };

  function resetMeter(): void {
    batch(() => {
      level.value = 0;
      elapsedMs.value = 0;
    });
  }

  const stopListening = onMessage('sidepanel:recorder-event', ({ data }) => {
    if (data.panelId !== link.panelId) return; // another window's panel recording
    const event = data.event;
    if (event.type === 'level') {
      batch(() => {
        level.value = event.level;
        elapsedMs.value = event.elapsedMs;
      });
      return;
    }
    if (event.type !== 'speech-start') resetMeter();
    onEvent(event);
  });

  return {
    level,
    elapsedMs,
    async start(
      conversationId: string,
      handsFree: boolean,
      purpose: 'turn' | 'practice' = 'turn',
    ): Promise<StartRecordingReply> {
      resetMeter();
      return link.call(() =>
        sendMessage('offscreen:start-recording', { ...ref, conversationId, handsFree, purpose, vad: HANDS_FREE_VAD }),
      );
    },
    async stop(): Promise<StopRecordingReply> {
      const reply = await link.call(() => sendMessage('offscreen:stop-recording', ref));
      resetMeter();
      return reply;
    },
    async cancel(): Promise<void> {
      resetMeter();
      await link.call(() => sendMessage('offscreen:cancel-recording', ref));
    },
    /** The audio of a recording this document just stopped, if it was handed over (once). */
    takeAudio(recordingId: string): Blob | undefined {
      return handover.take(recordingId);
    },
    dispose(): void {
      stopListening();
      handover.dispose();
    },
  };
}
