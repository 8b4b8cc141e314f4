import { newId } from '../core/db/schema';
import { putMessage } from '../core/db/conversations';
import { deleteRecording } from '../core/db/recordings';
import type { StopRecordingReply } from '../core/messages';
import { isSilentRecording } from '../core/recording-checks';

/**
 * A recording whose panel closed (or crashed) before sending it. Nothing is sent without the
 * learner: it becomes an 'unsent' turn of its conversation, which the panel offers back (Send /
 * Delete) when it reopens, so no recording is ever left that nothing refers to. A recording of
 * silence, or of a practice attempt, is not worth offering and is deleted.
 */
export async function keepAbandonedRecording(result: StopRecordingReply): Promise<'kept' | 'discarded' | 'none'> {
  if (result.status !== 'saved') return 'none';
  // A practice attempt belongs to no conversation: it is not offered back as a turn.
  if (isSilentRecording(result) || result.purpose === 'practice') {
    await deleteRecording(result.recordingId);
    return 'discarded';
  }
  await putMessage({
    id: newId(),
    conversationId: result.conversationId,
    role: 'user',
    text: '',
    status: 'unsent',
    createdAt: Date.now(),
    recordingId: result.recordingId,
    timings: {},
  });
  return 'kept';
}
