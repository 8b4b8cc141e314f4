import { beforeEach, describe, expect, it } from 'vitest';
import {
  countMessagesBefore,
  createConversation,
  deleteConversation,
  deleteMessage,
  latestConversation,
  latestMessages,
  listConversations,
  listMessages,
  messagesBefore,
  putMessage,
  setConversationPages,
} from './conversations';
import { resetDbConnection } from './open';
import { getRecording, putRecording } from './recordings';
import { DB_NAME, type Message } from './schema';
import { deleteDatabase, recordingOf } from '../testing/idb';

function message(conversationId: string, role: Message['role'], text: string, createdAt: number): Message {
  return { id: crypto.randomUUID(), conversationId, role, text, status: 'done', createdAt, timings: {} };
}

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

describe('conversations in IndexedDB', () => {
  it('keeps messages in the order they were said, per conversation', async () => {
    const a = await createConversation();
    const b = await createConversation();
    await putMessage(message(a.id, 'assistant', 'What did you do yesterday?', 1));
    await putMessage(message(b.id, 'user', 'Other conversation', 2));
    await putMessage(message(a.id, 'user', 'I go to the park.', 3));
    await putMessage(message(a.id, 'assistant', 'You should say "I went".', 4));
    expect((await listMessages(a.id)).map((m) => m.text)).toEqual([
      'What did you do yesterday?',
      'I go to the park.',
      'You should say "I went".',
    ]);
  });

  it('reads a conversation from its newest messages back, a page at a time, and counts what is before a page', async () => {
    const a = await createConversation();
    const b = await createConversation();
    for (let n = 0; n < 10; n++) await putMessage(message(a.id, n % 2 ? 'assistant' : 'user', `line ${n}`, 100 + n));
    await putMessage(message(b.id, 'user', 'Other conversation', 105));
    // Two lines said in one millisecond, the first of them kept in memory with the page after it.
    const tied = message(a.id, 'user', 'line 9b', 109);
    await putMessage(tied);

    const latest = await latestMessages(a.id, 3);
    expect(latest.map((m) => m.createdAt)).toEqual([108, 109, 109]);
    const kept = new Set(latest.map((m) => m.id));
    expect(await countMessagesBefore(a.id, 108, kept)).toBe(8);
    expect((await messagesBefore(a.id, 108, kept, 4)).map((m) => m.text)).toEqual([
      'line 4',
      'line 5',
      'line 6',
      'line 7',
    ]);

    const newest = await latestMessages(a.id, 1);
    const one = new Set(newest.map((m) => m.id));
    expect(await countMessagesBefore(a.id, 109, one)).toBe(10);
    expect((await messagesBefore(a.id, 109, one, 2)).map((m) => m.createdAt)).toEqual([108, 109]);
    expect(await latestMessages(b.id, 60)).toHaveLength(1);
  });

  it('titles a conversation from the learner’s first words and lists the latest first', async () => {
    const older = await createConversation();
    await new Promise((r) => setTimeout(r, 5));
    const newer = await createConversation();
    await new Promise((r) => setTimeout(r, 5));
    await putMessage(message(older.id, 'user', 'Yesterday I go to the park with my friend and we play football', 1));
    const list = await listConversations();
    expect(list.map((c) => c.id)).toEqual([older.id, newer.id]);
    expect(list[0]?.title).toBe('Yesterday I go to the park with my…');
    expect((await latestConversation())?.id).toBe(older.id);
  });

  it('deletes a conversation with its messages and recordings, and nothing else', async () => {
    const keep = await createConversation();
    const gone = await createConversation();
    await putMessage(message(keep.id, 'user', 'stay', 1));
    await putMessage(message(gone.id, 'user', 'go', 1));
    const blob = new Blob([new Uint8Array([1, 2, 3])], { type: 'audio/webm' });
    await putRecording({
      id: 'r-gone',
      conversationId: gone.id,
      blob,
      mimeType: 'audio/webm',
      durationMs: 900,
      createdAt: 1,
    });
    await putRecording({
      id: 'r-keep',
      conversationId: keep.id,
      blob,
      mimeType: 'audio/webm',
      durationMs: 900,
      createdAt: 1,
    });
    await deleteConversation(gone.id);
    expect((await listConversations()).map((c) => c.id)).toEqual([keep.id]);
    expect(await listMessages(gone.id)).toEqual([]);
    expect(await getRecording('r-gone')).toBeUndefined();
    expect((await listMessages(keep.id)).map((m) => m.text)).toEqual(['stay']);
    expect((await getRecording('r-keep'))?.durationMs).toBe(900);
  });

  it('keeps the pages a conversation is about, and names an untitled one after its first page', async () => {
    const conversation = await createConversation();
    const page = {
      id: 'p1',
      title: 'Why cities plant trees',
      url: 'http://127.0.0.1/article.html',
      lang: 'en',
      selection: '',
      text: 'Trees cool streets.',
      capturedAt: 1,
    };
    await setConversationPages(conversation.id, [page]);
    const [stored] = await listConversations();
    expect(stored?.title).toBe('Why cities plant trees');
    expect(stored?.pages).toEqual([page]);
    await setConversationPages(conversation.id, []);
    const [removed] = await listConversations();
    expect(removed?.pages).toEqual([]);
    expect(removed?.title).toBe('Why cities plant trees');
  });

  it('deleting an unsent turn deletes its recording too', async () => {
    const c = await createConversation();
    const r = recordingOf(c.id, 1);
    await putRecording(r);
    const unsent = { ...message(c.id, 'user', '', 1), status: 'unsent' as const, recordingId: r.id };
    await putMessage(unsent);
    await deleteMessage(unsent.id);
    expect(await listMessages(c.id)).toEqual([]);
    expect(await getRecording(r.id)).toBeUndefined();
  });
});
