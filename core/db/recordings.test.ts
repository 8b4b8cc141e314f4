import { beforeEach, describe, expect, it } from 'vitest';
import { createConversation, listMessages, putMessage } from './conversations';
import { resetDbConnection } from './open';
import {
  adoptOrphanRecordings,
  deleteRecordingsBefore,
  getRecording,
  putRecording,
  recordingsUsage,
} from './recordings';
import { DB_NAME, type Message } from './schema';
import { deleteDatabase, recordingOf } from '../testing/idb';

function message(conversationId: string, role: Message['role'], text: string, createdAt: number): Message {
  return { id: crypto.randomUUID(), conversationId, role, text, status: 'done', createdAt, timings: {} };
}

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

describe('keeping storage healthy', () => {
  it('says how many recordings there are and how much room they take', async () => {
    const c = await createConversation();
    await putRecording(recordingOf(c.id, 1, 1000));
    await putRecording(recordingOf(c.id, 2, 2500));
    expect(await recordingsUsage()).toEqual({ count: 2, bytes: 3500 });
  });

  it('deletes the audio of old recordings, keeping transcripts and dropping unsent turns with nothing left to send', async () => {
    const c = await createConversation();
    const old = recordingOf(c.id, 1_000);
    const oldUnsent = recordingOf(c.id, 1_500);
    const recent = recordingOf(c.id, 9_000);
    for (const r of [old, oldUnsent, recent]) await putRecording(r);
    const said = { ...message(c.id, 'user', 'I goed to school.', 1_000), recordingId: old.id };
    const unsent = { ...message(c.id, 'user', '', 1_500), status: 'unsent' as const, recordingId: oldUnsent.id };
    await putMessage(said);
    await putMessage(unsent);
    expect(await deleteRecordingsBefore(5_000)).toBe(2);
    expect(await getRecording(old.id)).toBeUndefined();
    expect(await getRecording(recent.id)).toBeDefined();
    const left = await listMessages(c.id);
    expect(left.map((m) => [m.text, m.recordingId])).toEqual([['I goed to school.', undefined]]);
  });

  it('turns a recording that no turn refers to (a crash between saving and writing the turn) into an unsent turn', async () => {
    const c = await createConversation();
    const orphan = recordingOf(c.id, 1_000);
    const fresh = recordingOf(c.id, 99_000);
    const referenced = recordingOf(c.id, 1_000);
    for (const r of [orphan, fresh, referenced]) await putRecording(r);
    await putMessage({ ...message(c.id, 'user', 'Hello.', 1_000), recordingId: referenced.id });
    expect(await adoptOrphanRecordings(60_000, 100_000)).toBe(1);
    const unsent = (await listMessages(c.id)).filter((m) => m.status === 'unsent');
    expect(unsent.map((m) => m.recordingId)).toEqual([orphan.id]);
    // Adopted once only.
    expect(await adoptOrphanRecordings(60_000, 100_000)).toBe(0);
  });
});
