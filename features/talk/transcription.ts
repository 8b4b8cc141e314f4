import { newId, type Message } from '@/core/db/schema';
import { t } from '@/core/i18n';
import { now, type SavedRecording } from '@/core/messages';
import { errorText, type BannerStore } from '../../panel/banner';
import { holdRenders } from '../../panel/render-gate';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import type { RecorderClient } from './recorder-client';
import { parseTranscript, transcribe, type Transcript } from './teacher-api';
import { transcriptionStreamFor } from './transcription-stream';
import type { TurnEvent } from './turn-machine';
import type { UnsavedMessages } from './unsaved-messages';

/**
 * The learner's turn as text: the message is saved, the recording uploaded, and the transcript
 * shown and kept; the turn machine hears 'transcribed' or 'transcription-failed'.
 */
export interface TranscriptionDeps {
  recorder: RecorderClient;
  history: HistoryStore;
  settings: SettingsSync;
  banner: BannerStore;
  unsaved: UnsavedMessages;
  dispatch(event: TurnEvent): void;
}

const noop = (): void => undefined;

/** The turn being transcribed: what abandoning it must stop and wait for. */
interface Work {
  messageId: string;
  recordingId: string;
  abort: AbortController;
  /** The conversation was left (or deleted): nothing more is written or reported for it. */
  abandoned: boolean;
  /** The turn's first write. */
  saved: Promise<unknown>;
}

export type Transcription = ReturnType<typeof createTranscription>;

export function createTranscription({ recorder, history, settings, banner, unsaved, dispatch }: TranscriptionDeps) {
  let current: Work | null = null;

  function begin(messageId: string, recordingId: string, saved: Promise<unknown>): Work {
    current = { messageId, recordingId, abort: new AbortController(), abandoned: false, saved };
    return current;
  }

  async function transcribeNew(recording: SavedRecording, stopPressedAt: number): Promise<void> {
    // The recording document handed the audio over in memory and writes it to IndexedDB beside
    // the upload (or wrote it before replying): the turn exists before anything is uploaded, so
    // a failed upload loses nothing. A failed write is said; the turn goes on from memory (the
    // transcript's write, which holds the whole message, says it if it fails too).
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
        // Left out, not undefined, while the write is still under way: a later write of this
        // turn (the corrections check's) lets the stored timings stand over the ones only shown,
        // and a stored `undefined` would erase the moment shown once the write lands.
        ...(recording.savedAt !== undefined ? { recordingSavedAt: recording.savedAt } : {}),
      },
    };
    // Written while the audio is read and uploaded, not before: the write is not on the way to
    // the teacher's first word. The panel redraws once the upload is on its way (panel/render-gate.ts).
    const uploading = holdRenders();
    const saved = history.save(message).catch(wrote(message.id));
    const work = begin(message.id, recording.recordingId, saved);
    if (recording.writing) {
      recorder.stored(recording.recordingId).then(
        (at) => {
          if (at === undefined || work.abandoned) return;
          // Written, not only shown: a write of the turn on its way meanwhile (the corrections
          // check's) shows what it read before, and would take a moment only shown away again.
          history.patch(message.id, { timings: { recordingSavedAt: at } }).catch(noop);
        },
        (error: unknown) => {
          if (!work.abandoned) banner.showError(error);
        },
      );
    }
    try {
      await transcribeMessage(work, saved, {
        mimeType: recording.mimeType,
        durationMs: recording.durationMs,
        streamed: recording.purpose !== 'practice' && transcriptionStreamFor(settings.settings.value) !== undefined,
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
    const saved = history.patch(messageId, { status: 'transcribing', error: undefined }).then(noop, wrote(messageId));
    await transcribeMessage(begin(messageId, message.recordingId, saved), saved);
  }

  async function transcribeMessage(
    work: Work,
    saved: Promise<void>,
    fresh?: { mimeType: string; durationMs: number; streamed: boolean; onSent?(): void },
  ): Promise<void> {
    try {
      await transcribeWork(work, saved, fresh);
    } finally {
      if (current === work) current = null;
    }
  }

  async function transcribeWork(
    work: Work,
    saved: Promise<void>,
    fresh?: { mimeType: string; durationMs: number; streamed: boolean; onSent?(): void },
  ): Promise<void> {
    const { messageId, recordingId } = work;
    let transcript: Transcript;
    let recordingS: number;
    try {
      // The companion heard the turn while it was recorded (issue 22); anything short of its transcript uploads it.
      const streamed = fresh?.streamed ? await streamedTranscript(recordingId) : undefined;
      if (streamed) {
        // The audio handed over in memory is not needed: taken, so it is not held until the panel closes.
        recorder.takeAudio(recordingId).catch(noop);
        fresh?.onSent?.();
        recordingS = (fresh?.durationMs ?? 0) / 1000;
        await saved;
        transcript = streamed;
      } else {
        // A recording just made is uploaded from memory (handed over by the recording document);
        // a retry, or one offered back after the panel closed, is read from IndexedDB.
        const handed = fresh && (await recorder.takeAudio(recordingId));
        const recording = handed ? { ...fresh, blob: handed } : await recorder.read(recordingId);
        if (!recording) throw new Error(t('conversation.recordingGone'));
        recordingS = recording.durationMs / 1000;
        [transcript] = await Promise.all([
          transcribe(settings.endpoints.value.transcription, recording.blob, recording.mimeType, {
            signal: work.abort.signal,
            onSent: () => {
              history.patch(messageId, { timings: { uploadSentAt: now() } }, false).catch(noop);
              fresh?.onSent?.();
            },
            onRetry: (problem, _attempt, delayMs) =>
              banner.info(t('banner.retrying', { problem: problem.message, seconds: Math.round(delayMs / 1000) })),
          }),
          saved,
        ]);
      }
    } catch (error) {
      if (work.abandoned) return;
      await history.patch(messageId, { status: 'failed', error: errorText(error) }).catch(wrote(messageId));
      dispatch({ type: 'transcription-failed', messageId, error, empty: false });
      return;
    }
    if (work.abandoned) return;
    const { text, words } = transcript;
    if (!text) {
      await history
        .patch(messageId, { status: 'failed', error: t('conversation.noWordsRecognised') })
        .catch(wrote(messageId));
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
    // Not written (storage full, say): the transcript stays shown and the teacher answers it;
    // the banner says so and offers to save it again.
    await written.then(
      () => unsaved.saved(messageId),
      (error: unknown) => unsaved.failed(messageId, error),
    );
  }

  /** A streamed turn's transcript, or undefined when it must be uploaded (the stream failed, or heard nothing). */
  async function streamedTranscript(recordingId: string): Promise<Transcript | undefined> {
    const reply = await recorder.streamedTranscript(recordingId).catch(() => undefined);
    if (reply?.status !== 'transcript') {
      if (reply) console.info('AITalk: uploading the whole recording, the stream gave no transcript:', reply.reason);
      return undefined;
    }
    try {
      const transcript = parseTranscript(reply.body, settings.endpoints.value.transcription);
      return transcript.text ? transcript : undefined;
    } catch {
      return undefined;
    }
  }

  /** A write on the way to the transcript failed: noted; the turn goes on from memory. */
  function wrote(messageId: string): (error: unknown) => void {
    return (error) => console.warn('AITalk: could not save the turn yet', messageId, error);
  }

  /**
   * The conversation is left or deleted (or the panel closes) mid-transcription: the upload is
   * aborted, and the turn stays in its conversation marked not sent, with its recording, for Retry. Resolves once
   * that and the recording's own write have landed, so a deletion that follows leaves nothing.
   */
  async function abandon(closing: boolean): Promise<void> {
    const work = current;
    current = null;
    if (!work || work.abandoned) return;
    work.abandoned = true;
    work.abort.abort();
    await work.saved.catch(noop);
    await Promise.all([
      history
        .patch(work.messageId, {
          status: 'failed',
          error: t(closing ? 'conversation.closedBeforeTranscribed' : 'conversation.leftBeforeTranscribed'),
        })
        .catch(noop),
      recorder.stored(work.recordingId).catch(noop),
    ]);
  }

  return { transcribeNew, transcribeSaved, abandon };
}
