import { openDB, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { DB_NAME, DB_VERSION, type AITalkSchema, type Message, type TurnTimings } from './schema';

/**
 * Opening AITalk's database: one connection per page, and the upgrade from every earlier version
 * of the schema (core/db/schema.ts) to the current one.
 */

type UpgradeTx = IDBPTransaction<AITalkSchema, StoreNames<AITalkSchema>[], 'versionchange'>;

/**
 * One step per schema version; `upgrade` runs every step above the old version in order, so a
 * database left at any earlier version reaches the current one.
 */
const migrations: Record<number, (db: IDBPDatabase<AITalkSchema>, tx: UpgradeTx) => Promise<void> | void> = {
  // Version 1: the first release.
  1(db) {
    db.createObjectStore('conversations', { keyPath: 'id' });
    const messages = db.createObjectStore('messages', { keyPath: 'id' });
    messages.createIndex('by-conversation', ['conversationId', 'createdAt']);
    const recordings = db.createObjectStore('recordings', { keyPath: 'id' });
    recordings.createIndex('by-conversation', 'conversationId');
  },
  // Version 2: the history lists conversations by last activity, and every message has timings.
  async 2(_db, tx) {
    tx.objectStore('conversations').createIndex('by-updated', 'updatedAt');
    let cursor = await tx.objectStore('messages').openCursor();
    while (cursor) {
      const value = cursor.value as Message & { timings?: TurnTimings };
      if (!value.timings) await cursor.update({ ...value, timings: {} });
      cursor = await cursor.continue();
    }
  },
  // Version 3: corrections per learner sentence, and the notebook of corrections to review.
  3(db) {
    db.createObjectStore('checks', { keyPath: 'messageId' }).createIndex('by-conversation', 'conversationId');
    const notebook = db.createObjectStore('notebook', { keyPath: 'id' });
    notebook.createIndex('by-due', 'due');
    notebook.createIndex('by-message', 'messageId');
  },
  // Version 4: conversations may be about web pages (an optional `pages` field, nothing to
  // rewrite); page selections read aloud, and words looked up on pages.
  4(db) {
    db.createObjectStore('readings', { keyPath: 'id' }).createIndex('by-at', 'at');
    db.createObjectStore('vocabulary', { keyPath: 'id' }).createIndex('by-at', 'at');
  },
  // Version 5: pronunciation — the sounds to work on (reviewed like the notebook) and the score of
  // every judged attempt. An attempt outside a conversation (conversationId null) is simply not in
  // the by-conversation index.
  5(db) {
    db.createObjectStore('sounds', { keyPath: 'id' }).createIndex('by-due', 'due');
    const attempts = db.createObjectStore('attempts', { keyPath: 'id' });
    attempts.createIndex('by-conversation', 'conversationId');
    attempts.createIndex('by-at', 'at');
  },
  // Version 6: the learner profile, facts the learner kept for the teacher to remember.
  6(db) {
    db.createObjectStore('profile', { keyPath: 'id' }).createIndex('by-created', 'createdAt');
  },
};

export interface ConnectionEvents {
  /** An older page keeps the database open at an older version; the upgrade waits for it. */
  onBlocked?(): void;
  /** The browser closed the connection abnormally (storage cleared, disk error). */
  onTerminated?(): void;
}

export function openAITalkDB(name = DB_NAME, events: ConnectionEvents = {}): Promise<IDBPDatabase<AITalkSchema>> {
  let opened: IDBPDatabase<AITalkSchema> | undefined;
  const open = openDB<AITalkSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion, newVersion, tx) {
      const migrate = async () => {
        for (let version = oldVersion + 1; version <= (newVersion ?? DB_VERSION); version++) {
          await migrations[version]?.(db, tx);
        }
      };
      // A failed step aborts the whole upgrade, so opening fails (and says so) instead of
      // leaving a half-migrated database behind.
      migrate().catch((error: unknown) => {
        console.error('AITalk: the database upgrade failed', error);
        tx.abort();
      });
    },
    blocked() {
      events.onBlocked?.();
    },
    // A newer AITalk (just updated, in another page) wants to upgrade: step aside so it can,
    // instead of leaving it blocked; the next call here reopens at the new version.
    blocking() {
      opened?.close();
      events.onTerminated?.();
    },
    terminated() {
      events.onTerminated?.();
    },
  });
  return open.then((db) => (opened = db));
}

let shared: Promise<IDBPDatabase<AITalkSchema>> | undefined;
let blockedListener: (() => void) | undefined;

/** Called when this page's upgrade waits for another page to close (the panel says so). */
export function onDatabaseBlocked(listener: () => void): void {
  blockedListener = listener;
}

/** One connection per page, opened on first use, and again after it was closed under us. */
export function db(): Promise<IDBPDatabase<AITalkSchema>> {
  const open = (shared ??= openAITalkDB(DB_NAME, {
    onBlocked: () => blockedListener?.(),
    onTerminated: () => {
      if (shared === open) shared = undefined;
    },
  }));
  // A failed open is not kept: the next call tries again.
  open.catch(() => {
    if (shared === open) shared = undefined;
  });
  return open;
}

/** Closes and forgets the shared connection (tests delete the database between cases). */
export async function resetDbConnection(): Promise<void> {
  const open = shared;
  shared = undefined;
  (await open)?.close();
}
