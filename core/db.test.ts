import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DB_NAME,
  DB_VERSION,
  adoptOrphanRecordings,
  createConversation,
  db,
  deleteMessage,
  deleteRecordingsBefore,
  recordingsUsage,
  deleteConversation,
  getRecording,
  latestConversation,
  listConversations,
  listMessages,
  openAITalkDB,
  putMessage,
  putRecording,
  resetDbConnection,
  setConversationPages,
  type Message,
} from './db';

async function deleteDatabase(name: string) {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

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
});

describe('schema upgrades', () => {
  it('upgrades a version-1 database without losing conversations or messages', async () => {
    const name = 'aitalk-upgrade-test';
    await deleteDatabase(name);
    // Version 1 exactly as the first release created it.
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('conversations', { keyPath: 'id' });
        const messages = db.createObjectStore('messages', { keyPath: 'id' });
        messages.createIndex('by-conversation', ['conversationId', 'createdAt']);
        const recordings = db.createObjectStore('recordings', { keyPath: 'id' });
        recordings.createIndex('by-conversation', 'conversationId');
      },
    });
    await v1.put('conversations', { id: 'c1', title: 'Old talk', createdAt: 1, updatedAt: 5 });
    await v1.put('messages', {
      id: 'm1',
      conversationId: 'c1',
      role: 'user',
      text: 'Hello teacher',
      status: 'done',
      createdAt: 2,
    });
    v1.close();

    const upgraded = await openAITalkDB(name);
    expect(upgraded.version).toBe(DB_VERSION);
    const byUpdated = await upgraded.getAllFromIndex('conversations', 'by-updated');
    expect(byUpdated.map((c) => c.title)).toEqual(['Old talk']);
    const old = await upgraded.get('messages', 'm1');
    expect(old?.text).toBe('Hello teacher');
    expect(old?.timings).toEqual({});
    expect([...upgraded.objectStoreNames]).toEqual(expect.arrayContaining(['checks', 'notebook']));
    upgraded.close();
    await deleteDatabase(name);
  });

  it('upgrades a version-2 database: conversations kept, corrections and notebook stores added', async () => {
    const name = 'aitalk-upgrade-v2-test';
    await deleteDatabase(name);
    // Version 2 exactly as that release created it (version 1's stores plus the by-updated index).
    const v2 = await openDB(name, 2, {
      upgrade(db, _old, _new, tx) {
        db.createObjectStore('conversations', { keyPath: 'id' });
        const messages = db.createObjectStore('messages', { keyPath: 'id' });
        messages.createIndex('by-conversation', ['conversationId', 'createdAt']);
        const recordings = db.createObjectStore('recordings', { keyPath: 'id' });
        recordings.createIndex('by-conversation', 'conversationId');
        tx.objectStore('conversations').createIndex('by-updated', 'updatedAt');
      },
    });
    await v2.put('conversations', { id: 'c2', title: 'Last week', createdAt: 1, updatedAt: 9 });
    await v2.put('messages', {
      id: 'm2',
      conversationId: 'c2',
      role: 'user',
      text: 'I go home',
      status: 'done',
      createdAt: 2,
      timings: { transcriptAt: 5 },
    });
    v2.close();

    const upgraded = await openAITalkDB(name);
    expect(upgraded.version).toBe(DB_VERSION);
    expect((await upgraded.get('conversations', 'c2'))?.title).toBe('Last week');
    expect((await upgraded.get('messages', 'm2'))?.timings).toEqual({ transcriptAt: 5 });
    expect([...upgraded.transaction('checks').store.indexNames]).toEqual(['by-conversation']);
    expect([...upgraded.transaction('notebook').store.indexNames].sort()).toEqual(['by-due', 'by-message']);
    upgraded.close();
    await deleteDatabase(name);
  });

  it('upgrades a version-3 database: conversations and the notebook kept, page readings and vocabulary added', async () => {
    const name = 'aitalk-upgrade-v3-test';
    await deleteDatabase(name);
    // Version 3 as that release left it: open it with the real steps 1–3 by asking for version 3.
    const v3 = await openDB(name, 3, {
      upgrade(db, _old, _new, tx) {
        db.createObjectStore('conversations', { keyPath: 'id' }).createIndex('by-updated', 'updatedAt');
        db.createObjectStore('messages', { keyPath: 'id' }).createIndex('by-conversation', [
          'conversationId',
          'createdAt',
        ]);
        db.createObjectStore('recordings', { keyPath: 'id' }).createIndex('by-conversation', 'conversationId');
        db.createObjectStore('checks', { keyPath: 'messageId' }).createIndex('by-conversation', 'conversationId');
        const notebook = db.createObjectStore('notebook', { keyPath: 'id' });
        notebook.createIndex('by-due', 'due');
        notebook.createIndex('by-message', 'messageId');
        void tx;
      },
    });
    await v3.put('conversations', { id: 'c3', title: 'Before pages', createdAt: 1, updatedAt: 9 });
    await v3.put('notebook', { id: 'n3', due: 4, messageId: 'm3' });
    v3.close();

    const upgraded = await openAITalkDB(name);
    expect(upgraded.version).toBe(DB_VERSION);
    const old = await upgraded.get('conversations', 'c3');
    expect(old?.title).toBe('Before pages');
    expect(old?.pages).toBeUndefined();
    expect((await upgraded.get('notebook', 'n3'))?.due).toBe(4);
    expect([...upgraded.transaction('readings').store.indexNames]).toEqual(['by-at']);
    expect([...upgraded.transaction('vocabulary').store.indexNames]).toEqual(['by-at']);
    upgraded.close();
    await deleteDatabase(name);
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

  it('creates the current schema from nothing', async () => {
    const fresh = await openAITalkDB('aitalk-fresh-test');
    expect([...fresh.objectStoreNames].sort()).toEqual([
      'checks',
      'conversations',
      'messages',
      'notebook',
      'readings',
      'recordings',
      'vocabulary',
    ]);
    expect([...fresh.transaction('conversations').store.indexNames]).toContain('by-updated');
    fresh.close();
    await deleteDatabase('aitalk-fresh-test');
  });
});

function recording(conversationId: string, createdAt: number, bytes = 100) {
  return {
    id: crypto.randomUUID(),
    conversationId,
    blob: new Blob([new Uint8Array(bytes)], { type: 'audio/webm' }),
    bytes,
    mimeType: 'audio/webm',
    durationMs: 1000,
    createdAt,
  };
}

describe('keeping storage healthy', () => {
  it('says how many recordings there are and how much room they take', async () => {
    const c = await createConversation();
    await putRecording(recording(c.id, 1, 1000));
    await putRecording(recording(c.id, 2, 2500));
    expect(await recordingsUsage()).toEqual({ count: 2, bytes: 3500 });
  });

  it('deletes the audio of old recordings, keeping transcripts and dropping unsent turns with nothing left to send', async () => {
    const c = await createConversation();
    const old = recording(c.id, 1_000);
    const oldUnsent = recording(c.id, 1_500);
    const recent = recording(c.id, 9_000);
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
    const orphan = recording(c.id, 1_000);
    const fresh = recording(c.id, 99_000);
    const referenced = recording(c.id, 1_000);
    for (const r of [orphan, fresh, referenced]) await putRecording(r);
    await putMessage({ ...message(c.id, 'user', 'Hello.', 1_000), recordingId: referenced.id });
    expect(await adoptOrphanRecordings(60_000, 100_000)).toBe(1);
    const unsent = (await listMessages(c.id)).filter((m) => m.status === 'unsent');
    expect(unsent.map((m) => m.recordingId)).toEqual([orphan.id]);
    // Adopted once only.
    expect(await adoptOrphanRecordings(60_000, 100_000)).toBe(0);
  });

  it('deleting an unsent turn deletes its recording too', async () => {
    const c = await createConversation();
    const r = recording(c.id, 1);
    await putRecording(r);
    const unsent = { ...message(c.id, 'user', '', 1), status: 'unsent' as const, recordingId: r.id };
    await putMessage(unsent);
    await deleteMessage(unsent.id);
    expect(await listMessages(c.id)).toEqual([]);
    expect(await getRecording(r.id)).toBeUndefined();
  });
});

describe('the connection', () => {
  it('steps aside when a newer AITalk (another page) upgrades the database, and opens a new connection afterwards', async () => {
    await createConversation('Before the update');
    const connection = db();
    const open = await connection;
    // Another page opening a newer version: it would wait for ever if this page held on.
    const newer = await Promise.race([
      openDB(DB_NAME, DB_VERSION + 1),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_000)),
    ]);
    expect(newer).not.toBeNull();
    newer?.close();
    // This page's old connection was closed, and is not handed out again.
    await expect(open.get('conversations', 'x')).rejects.toThrow();
    const again = db();
    expect(again).not.toBe(connection);
    // (It fails here: this test's code is older than the database it just upgraded.)
    await again.catch(() => undefined);
  });
});
