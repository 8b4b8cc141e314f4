import { newId } from '../core/db/schema';
import type { Recording } from '../core/db/schema';
import { now, type RecorderEvent, type SavedRecording, type StopRecordingReply } from '../core/messages';
import { describeStorageError, errorDetail } from '../core/storage-errors';
import { t } from '../core/i18n';

/**
 * What becomes of a stopped recording's audio: it is handed to the panel that recorded it and
 * saved in IndexedDB, and the panel is told what it may do with it. When the audio was handed
 * over, the stop is answered at once and the write runs beside the upload (the panel waits for
 * 'recording-stored' before it reads or deletes it in IndexedDB); else the stop is answered once
 * the audio is stored.
 */

export interface RecordingStore {
  saveRecording(recording: Recording): Promise<void>;
  /**
   * Hands the audio to the panel that recorded it at once (core/recording-handover.ts); with it,
   * the stop is answered while the save is still being written.
   */
  handOver?(panelId: string, recordingId: string, blob: Blob): void;
}

/** A stopped recording, as the recorder leaves it. */
export interface StoppedRecording {
  panelId: string;
  conversationId: string;
  purpose: 'turn' | 'practice';
  chunks: Blob[];
  mimeType: string;
  startedAt: number;
  stopRequestedAt: number;
  stoppedAt: number;
  peakLevel: number;
  speechDetected: boolean;
}

export async function keepRecording(
  stopped: StoppedRecording,
  store: RecordingStore,
  emit: (panelId: string, event: RecorderEvent) => void,
): Promise<StopRecordingReply> {
  const { panelId, conversationId, purpose, mimeType } = stopped;
  let writing: Promise<void>;
  let handedOver = false;
  let reply: Omit<SavedRecording, 'writing' | 'savedAt'>;
  try {
    const blob = new Blob(stopped.chunks, { type: mimeType });
    const recordingId = newId();
    const durationMs = Math.round(stopped.stoppedAt - stopped.startedAt);
    if (store.handOver) {
      try {
        store.handOver(panelId, recordingId, blob);
        handedOver = true;
      } catch {
        // Only a shortcut: the panel reads the recording from IndexedDB without it.
      }
    }
    writing = store.saveRecording({
      id: recordingId,
      conversationId,
      blob,
      bytes: blob.size,
      mimeType,
      durationMs,
      createdAt: Date.now(),
      purpose,
    });
    reply = {
      status: 'saved',
      recordingId,
      conversationId,
      purpose,
      mimeType,
      bytes: blob.size,
      durationMs,
      peakLevel: stopped.peakLevel,
      speechDetected: stopped.speechDetected,
      stopRequestedAt: stopped.stopRequestedAt,
      stoppedAt: stopped.stoppedAt,
    };
  } catch (error) {
    return { status: 'error', message: saveFailure(error) };
  }
  if (handedOver) {
    const { recordingId } = reply;
    writing.then(
      () => emit(panelId, { type: 'recording-stored', recordingId, at: now() }),
      (error: unknown) => emit(panelId, { type: 'recording-store-failed', recordingId, message: saveFailure(error) }),
    );
    return { ...reply, writing: true };
  }
  try {
    await writing;
  } catch (error) {
    return { status: 'error', message: saveFailure(error) };
  }
  return { ...reply, writing: false, savedAt: now() };
}

function saveFailure(error: unknown): string {
  return describeStorageError(error) ?? t('recorder.couldNotSave', { detail: errorDetail(error) });
}
