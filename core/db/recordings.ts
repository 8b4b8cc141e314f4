import { db } from './open';
import { newId, type Recording } from './schema';

/**
 * The learner's recordings: written by the recording document, read by the panel that uploads or
 * replays them, and kept in check (how much room they take, old audio deleted, recordings whose
 * turn was never written offered back as unsent turns).
 */

export async function putRecording(recording: Recording): Promise<void> {
  await (await db()).put('recordings', recording);
}

export async function deleteRecording(id: string): Promise<void> {
  await (await db()).delete('recordings', id);
}

export async function getRecording(id: string): Promise<Recording | undefined> {
  return (await db()).get('recordings', id);
}

export interface RecordingsUsage {
  count: number;
  bytes: number;
}

/** How many recordings are kept and how much space their audio takes. */
export async function recordingsUsage(): Promise<RecordingsUsage> {
  let cursor = await (await db()).transaction('recordings').store.openCursor();
  const usage: RecordingsUsage = { count: 0, bytes: 0 };
  while (cursor) {
    usage.count++;
    usage.bytes += cursor.value.bytes ?? cursor.value.blob.size;
    cursor = await cursor.continue();
  }
  return usage;
}

/**
 * Deletes the audio of recordings made before `cutoff` (ms since the epoch). Transcripts stay;
 * an unsent turn whose audio goes has nothing left to send, so it goes too.
 */
export async function deleteRecordingsBefore(cutoff: number): Promise<number> {
  const tx = (await db()).transaction(['recordings', 'messages'], 'readwrite');
  const removed = new Set<string>();
  let cursor = await tx.objectStore('recordings').openCursor();
  while (cursor) {
    if (cursor.value.createdAt < cutoff) {
      removed.add(cursor.value.id);
      await cursor.delete();
    }
    cursor = await cursor.continue();
  }
  if (removed.size > 0) {
    let messages = await tx.objectStore('messages').openCursor();
    while (messages) {
      const message = messages.value;
      if (message.recordingId && removed.has(message.recordingId)) {
        if (message.status === 'unsent') await messages.delete();
        else await messages.update({ ...message, recordingId: undefined });
      }
      messages = await messages.continue();
    }
  }
  await tx.done;
  return removed.size;
}

/**
 * Recordings that no message refers to — a panel that crashed between saving a recording and
 * writing its turn — become unsent turns of their conversation, so the learner can send or
 * delete them. Only those older than `minAgeMs`: a younger one may be a turn being written now.
 */
export async function adoptOrphanRecordings(minAgeMs: number, at = Date.now()): Promise<number> {
  const tx = (await db()).transaction(['recordings', 'messages', 'conversations'], 'readwrite');
  const referenced = new Set<string>();
  let messages = await tx.objectStore('messages').openCursor();
  while (messages) {
    if (messages.value.recordingId) referenced.add(messages.value.recordingId);
    messages = await messages.continue();
  }
  let adopted = 0;
  let cursor = await tx.objectStore('recordings').openCursor();
  while (cursor) {
    const recording = cursor.value;
    if (!referenced.has(recording.id) && at - recording.createdAt >= minAgeMs) {
      const practice = recording.purpose === 'practice';
      if (!practice && (await tx.objectStore('conversations').get(recording.conversationId))) {
        await tx.objectStore('messages').put({
          id: newId(),
          conversationId: recording.conversationId,
          role: 'user',
          text: '',
          status: 'unsent',
          createdAt: recording.createdAt,
          recordingId: recording.id,
          timings: {},
        });
        adopted++;
      } else {
        await cursor.delete();
      }
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  return adopted;
}
