import { newId, type Message } from '@/core/db/schema';
import { t } from '@/core/i18n';
import { now, type SavedRecording } from '@/core/messages';
import { errorText, type BannerStore } from '../../panel/banner';
import { holdRenders } from '../../panel/render-gate';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import type { RecorderClient } from './recorder-client';
import { transcribe, type Transcript } from './teacher-api';
import type { TurnEvent } from './turn-machine';

/**
 * The learner's turn as text: the message is saved, the recording uploaded, and the transcript
 * shown and kept; the turn machine hears 'transcribed' or 'transcription-failed'.
 */
export interface TranscriptionDeps {
  recorder: RecorderClient;
  history: HistoryStore;
  settings: SettingsSync;
  banner: BannerStore;
  dispatch(event: TurnEvent): void;
}

const noop = (): void => undefined;

export type Transcription = ReturnType<typeof createTranscription>;

export function createTranscription({ recorder, history, settings, banner, dispatch }: TranscriptionDeps) {
  async function transcribeNew(recording: SavedRecording, stopPressedAt: number): Promise<void> {
    // The recording document handed the audio over in memory and writes it to IndexedDB beside
    // the upload (or wrote it before replying): the turn exists before anything is uploaded, so
    // a failed upload loses nothing. A failed write is said; the turn goes on from memory.
    const message: Message = {
      id: newId(),
      conversationId: recording.conversationId,
      role: 'user',
      text: '',
      status: 'transcribing',
      createdAt: Date.now(),
      recordingId: recording.recordingId,
      timings: {
        stopPressedAt: Math.min(stopPressedAt, recording.stopRequestedAt),
        recordingStoppedAt: recording.stoppedAt,
        recordingSavedAt: recording.savedAt,
      },
    };
    if (recording.writing) {
      recorder.stored(recording.recordingId).then(
        (at) => {
          if (at !== undefined) history.patch(message.id, { timings: { recordingSavedAt: at } }, false).catch(noop);
        },
        (error: unknown) => banner.showError(error),
      );
    }
    // Written while the audio is read and uploaded, not before: the write is not on the way to
    // the teacher's first word. The panel redraws once the upload is on its way (panel/render-gate.ts).
    const uploading = holdRenders();
    const saved = history.save(message);
    try {
      await transcribeMessage(message.id, recording.recordingId, saved, {
        mimeType: recording.mimeType,
        durationMs: recording.durationMs,
        onSent: uploading,
      });
    } finally {
      uploading();
    }
  }

  /** Retry, or a recording made while the panel was closed: transcribed from IndexedDB. */
  async function transcribeSaved(messageId: string): Promise<void> {
    const message = history.find(messageId);
    if (!message?.recordingId) {
      dispatch({
        type: 'transcription-failed',
        messageId,
        error: new Error(t('conversation.recordingGone')),
        empty: false,
      });
      return;
    }
    const saved = history.patch(messageId, { status: 'transcribing', error: undefined });
    await transcribeMessage(messageId, message.recordingId, saved.then(noop));
  }

  async function transcribeMessage(
    messageId: string,
    recordingId: string,
    saved: Promise<void>,
    fresh?: { mimeType: string; durationMs: number; onSent?(): void },
  ): Promise<void> {
    let transcript: Transcript;
    let recordingS: number;
    try {
      // A recording just made is uploaded from memory (handed over by the recording document);
      // a retry, or one offered back after the panel closed, is read from IndexedDB.
      const handed = fresh && (await recorder.takeAudio(recordingId));
      const recording = handed ? { ...fresh, blob: handed } : await recorder.read(recordingId);
      if (!recording) throw new Error(t('conversation.recordingGone'));
      recordingS = recording.durationMs / 1000;
      [transcript] = await Promise.all([
        transcribe(settings.endpoints.value.transcription, recording.blob, recording.mimeType, {
          onSent: () => {
            history.patch(messageId, { timings: { uploadSentAt: now() } }, false).catch(noop);
            fresh?.onSent?.();
          },
          onRetry: (problem, _attempt, delayMs) =>
            banner.info(t('banner.retrying', { problem: problem.message, seconds: Math.round(delayMs / 1000) })),
        }),
        saved,
      ]);
    } catch (error) {
      await history.patch(messageId, { status: 'failed', error: errorText(error) });
      dispatch({ type: 'transcription-failed', messageId, error, empty: false });
      return;
    }
    const { text, words } = transcript;
    if (!text) {
      await history.patch(messageId, { status: 'failed', error: t('conversation.noWordsRecognised') });
      dispatch({ type: 'transcription-failed', messageId, error: null, empty: true });
      return;
    }
    // Shown (and so part of what the teacher is sent) at once; written to IndexedDB meanwhile.
    const written = history.patch(messageId, {
      text,
      status: 'done',
      error: undefined,
      timings: { transcriptAt: now() },
      // Kept for the session's fluency figures (features/corrections/fluency.ts).
      ...(words?.length ? { words } : {}),
      durationS: transcript.durationS || recordingS,
    });
    dispatch({ type: 'transcribed', messageId, replyId: newId() });
    await written;
  }

  return { transcribeNew, transcribeSaved };
}
