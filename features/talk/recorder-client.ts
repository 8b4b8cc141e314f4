import { batch, signal } from '@preact/signals';
import {
  onMessage,
  sendMessage,
  type JudgePronunciationReply,
  type RecorderEvent,
  type StartRecordingReply,
  type StopRecordingReply,
  type StreamedTranscriptReply,
  type TranscriptionStreamConfig,
} from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';
import type { Recording } from '@/core/db/schema';
import { deleteRecording, getRecording } from '@/core/db/recordings';
import { createHandoverReceiver, handoverChannel, type HandoverReceiver } from '@/core/recording-handover';
import { VAD_DEFAULTS } from '@/offscreen/voice-activity';

/**
 * Hands-free: a turn ends when the learner has been quiet for the detector's end-of-turn silence
 * (600 ms: measured by `npm run bench:vad` to keep a pause inside a sentence whole); 20 s of
 * silence ends listening.
 */
export const HANDS_FREE_VAD = { endSilenceMs: VAD_DEFAULTS.endSilenceMs, idleTimeoutMs: 20_000 };

/** How long a turn waits for audio handed over just after the stop was answered. */
const HANDOVER_WAIT_MS = 250;
/** A write whose outcome never arrived (the document went away) is given up on after this. */
const WRITE_WAIT_MS = 10_000;
/** How long an outcome is remembered after it arrived. */
const WRITE_KEEP_MS = 60_000;

interface Write {
  /** Resolves with the moment the recording was stored; rejects with what to do if it was not. */
  done: Promise<number | undefined>;
  settle(outcome: { at?: number } | { failure: string }): void;
}

function newWrite(forget: () => void): Write {
  let resolve!: (at: number | undefined) => void;
  let reject!: (error: Error) => void;
  const done = new Promise<number | undefined>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // Nobody may be waiting on a failed write; that is not an unhandled rejection.
  done.catch(() => undefined);
  let settled = false;
  const giveUp = setTimeout(() => write.settle({}), WRITE_WAIT_MS);
  const write: Write = {
    done,
    settle(outcome) {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      if ('failure' in outcome) reject(new Error(outcome.failure));
      else resolve(outcome.at);
      setTimeout(forget, WRITE_KEEP_MS);
    },
  };
  return write;
}

/**
 * The panel's side of the microphone in the offscreen document: start, stop and cancel this
 * panel's recording, and hear only this panel's recorder events (each names its panel).
 */
export type RecorderClient = ReturnType<typeof createRecorderClient>;

export function createRecorderClient(
  link: PanelLink,
  onEvent: (event: RecorderEvent) => void,
  handover: HandoverReceiver = createHandoverReceiver(handoverChannel(link.panelId)),
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

  /**
   * Recordings answered with `writing: true` (their audio came in memory, the write runs beside
   * the upload), by id, until the recording document says they are stored.
   */
  const writes = new Map<string, Write>();
  function writeOf(recordingId: string): Write {
    let write = writes.get(recordingId);
    if (!write) {
      const created = newWrite(() => {
        if (writes.get(recordingId) === created) writes.delete(recordingId);
      });
      writes.set(recordingId, created);
      write = created;
    }
    return write;
  }
  function track(reply: StopRecordingReply): void {
    if (reply.status === 'saved' && reply.writing) writeOf(reply.recordingId);
  }

  /**
   * Resolves once a just-stopped recording is in IndexedDB (at once if it was written before
   * the stop was answered), with the moment it was stored if known; rejects with what to do
   * if it could not be written. Read or delete a recording there only after this.
   */
  function stored(recordingId: string): Promise<number | undefined> {
    return writes.get(recordingId)?.done ?? Promise.resolve(undefined);
  }

  const stopListening = onMessage('sidepanel:recorder-event', ({ data }) => {
    if (data.panelId !== link.panelId) return; // another window's panel recording
    const event = data.event;
    // The outcome may overtake the stop's own reply; it is kept for when the reply arrives.
    if (event.type === 'recording-stored') {
      writeOf(event.recordingId).settle({ at: event.at });
      return;
    }
    if (event.type === 'recording-store-failed') {
      writeOf(event.recordingId).settle({ failure: event.message });
      return;
    }
    if (event.type === 'auto-stopped') track(event.result);
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
      transcriptionStream?: TranscriptionStreamConfig,
    ): Promise<StartRecordingReply> {
      resetMeter();
      return link.call(() =>
        sendMessage('offscreen:start-recording', {
          ...ref,
          conversationId,
          handsFree,
          purpose,
          vad: HANDS_FREE_VAD,
          ...(transcriptionStream ? { transcriptionStream } : {}),
        }),
      );
    },
    /** The transcript a streamed turn got from the companion while it was recorded, or 'none' (then upload it). */
    streamedTranscript(recordingId: string): Promise<StreamedTranscriptReply> {
      return link.call(() => sendMessage('offscreen:streamed-transcript', { recordingId }));
    },
    async stop(): Promise<StopRecordingReply> {
      const reply = await link.call(() => sendMessage('offscreen:stop-recording', ref));
      resetMeter();
      track(reply);
      return reply;
    },
    stored,
    /** A recording from IndexedDB, once a write still under way for it is done. */
    async read(recordingId: string): Promise<Recording | undefined> {
      await stored(recordingId);
      return getRecording(recordingId);
    },
    /** Deletes a just-stopped recording once its write is done (a failed write left nothing). */
    async discard(recordingId: string): Promise<void> {
      const written = await stored(recordingId).then(
        () => true,
        () => false,
      );
      if (written) await deleteRecording(recordingId);
    },
    /**
     * How a practice attempt just stopped was said, judged in the recording document, which still holds its
     * audio: ask before the recording is discarded.
     */
    async judgePronunciation(recordingId: string, text: string): Promise<JudgePronunciationReply> {
      return link.call(() => sendMessage('offscreen:judge-pronunciation', { recordingId, text }));
    },
    async cancel(): Promise<void> {
      resetMeter();
      await link.call(() => sendMessage('offscreen:cancel-recording', ref));
    },
    /**
     * The audio of a recording just stopped, if it was handed over (once). For one still being
     * written it waits a moment for the hand-over, which may come just after the stop's answer.
     */
    takeAudio(recordingId: string): Promise<Blob | undefined> {
      return writes.has(recordingId)
        ? handover.arrival(recordingId, HANDOVER_WAIT_MS)
        : Promise.resolve(handover.take(recordingId));
    },
    dispose(): void {
      stopListening();
      handover.dispose();
    },
  };
}
