import { useSignal } from '@preact/signals';
import type { Message } from '@/core/db/schema';
import { getRecording } from '@/core/db/recordings';
import { t } from '@/core/i18n';
import { useStore } from '../../panel/store-context';

/** Plays a learner's own recording of a turn from IndexedDB, in the panel itself. */
async function playRecording(recordingId: string): Promise<void> {
  const recording = await getRecording(recordingId);
  if (!recording) throw new Error(t('conversation.recordingGone'));
  const url = URL.createObjectURL(recording.blob);
  const audio = new Audio(url);
  audio.addEventListener('ended', () => URL.revokeObjectURL(url), { once: true });
  await audio.play();
}

/**
 * Listening aids under a message: hear a teacher's reply again (or slower), hear your own
 * recording of a turn. Only between turns, so they never talk over the teacher or the learner.
 */
export function ListeningAids({ message }: { message: Message }) {
  const store = useStore();
  const failed = useSignal<string | null>(null);
  const idle = store.phase.value === 'idle';
  if (message.role === 'assistant') {
    if (!message.text || (message.status !== 'done' && message.status !== 'interrupted')) return null;
    return (
      <div class="listening-aids">
        <button type="button" class="quiet" disabled={!idle} onClick={() => store.replayReply(message.id, false)}>
          {t('conversation.replayTeacher')}
        </button>
        <button type="button" class="quiet" disabled={!idle} onClick={() => store.replayReply(message.id, true)}>
          {t('conversation.replaySlow')}
        </button>
      </div>
    );
  }
  const recordingId = message.recordingId;
  if (!recordingId) return null;
  return (
    <div class="listening-aids">
      <button
        type="button"
        class="quiet"
        disabled={!idle}
        onClick={() => {
          failed.value = null;
          playRecording(recordingId).catch((error: unknown) => {
            failed.value = t('conversation.replayFailed', {
              detail: error instanceof Error ? error.message : String(error),
            });
          });
        }}
      >
        {t('conversation.replayMine')}
      </button>
      {failed.value && (
        <p class="message-note" role="alert">
          {failed.value}
        </p>
      )}
    </div>
  );
}
