import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createConversation } from './conversations';
import { db, openAITalkDB, resetDbConnection } from './open';
import { DB_NAME, DB_VERSION } from './schema';
import { deleteDatabase } from '../testing/idb';

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
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

  it('upgrades a version-4 database: conversations, notebook and readings kept, sounds and judged attempts added', async () => {
    const name = 'aitalk-upgrade-v4-test';
    await deleteDatabase(name);
    // Version 4 as that release left it.
    const v4 = await openDB(name, 4, {
      upgrade(db) {
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
        db.createObjectStore('readings', { keyPath: 'id' }).createIndex('by-at', 'at');
        db.createObjectStore('vocabulary', { keyPath: 'id' }).createIndex('by-at', 'at');
      },
    });
    await v4.put('conversations', { id: 'c4', title: 'Before sounds', createdAt: 1, updatedAt: 9 });
    await v4.put('notebook', { id: 'n4', due: 4, messageId: 'm4' });
    await v4.put('readings', { id: 'r4', at: 7, text: 'A page read aloud' });
    v4.close();

    const upgraded = await openAITalkDB(name);
    expect(upgraded.version).toBe(DB_VERSION);
    expect((await upgraded.get('conversations', 'c4'))?.title).toBe('Before sounds');
    expect((await upgraded.get('notebook', 'n4'))?.due).toBe(4);
    expect((await upgraded.get('readings', 'r4'))?.text).toBe('A page read aloud');
    expect([...upgraded.transaction('sounds').store.indexNames]).toEqual(['by-due']);
    expect([...upgraded.transaction('attempts').store.indexNames].sort()).toEqual(['by-at', 'by-conversation']);
    // An attempt made outside a conversation is kept, and only left out of the conversation's index.
    await upgraded.put('attempts', { id: 'a1', at: 10, conversationId: null, kind: 'repeat', score: 70 });
    await upgraded.put('attempts', { id: 'a2', at: 11, conversationId: 'c4', kind: 'repeat', score: 90 });
    expect((await upgraded.getAllFromIndex('attempts', 'by-conversation', 'c4')).map((a) => a.id)).toEqual(['a2']);
    expect((await upgraded.getAllFromIndex('attempts', 'by-at')).map((a) => a.id)).toEqual(['a1', 'a2']);
    upgraded.close();
    await deleteDatabase(name);
  });

  it('creates the current schema from nothing', async () => {
    const fresh = await openAITalkDB('aitalk-fresh-test');
    expect([...fresh.objectStoreNames].sort()).toEqual([
      'attempts',
      'checks',
      'conversations',
      'messages',
      'notebook',
      'profile',
      'readings',
      'recordings',
      'sounds',
      'vocabulary',
    ]);
    expect([...fresh.transaction('conversations').store.indexNames]).toContain('by-updated');
    fresh.close();
    await deleteDatabase('aitalk-fresh-test');
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
