import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Card } from 'ts-fsrs';
import type { Correction } from '../features/corrections/correction-schema';
import type { PageCapture } from '../features/page/page-capture';

/**
 * AITalk's IndexedDB: conversations, their messages (with per-turn timings), the learner's
 * recordings as Blobs, the corrections of each learner sentence and the notebook built from them. Every extension page shares one origin and so this one database: the
 * offscreen document writes a recording, the side panel reads it by id.
 */

export const DB_NAME = 'aitalk';
export const DB_VERSION = 4;

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** The pages the conversation is about, oldest first (absent before version 4: none). */
  pages?: PageCapture[];
}

export type MessageRole = 'user' | 'assistant';

/**
 * user: recorded → transcribing → done, or failed (the recording is kept, so it can be retried);
 * unsent: recorded while the panel closed, waiting for the learner to send or delete it.
 * assistant: streaming → done, interrupted (barge-in: `text` is what was heard), or failed.
 */
export type MessageStatus = 'recorded' | 'unsent' | 'transcribing' | 'streaming' | 'done' | 'interrupted' | 'failed';

/** Times of one turn, performance.timeOrigin-based milliseconds (see core/messages.ts `now`). */
export interface TurnTimings {
  stopPressedAt?: number;
  recordingStoppedAt?: number;
  recordingSavedAt?: number;
  uploadSentAt?: number;
  transcriptAt?: number;
  chatSentAt?: number;
  firstTokenAt?: number;
  firstSentenceAt?: number;
  firstAudioAt?: number;
  replyDoneAt?: number;
  /** Barge-in: when the learner interrupted, and when the teacher fell silent. */
  interruptedAt?: number;
  silencedAt?: number;
  /** Learner turns: the corrections lane (its request began; its card could be shown). */
  checkStartedAt?: number;
  checkedAt?: number;
}

/** One recognised word and when it was said, seconds from the start of the recording. */
export interface SpokenWord {
  word: string;
  start: number;
  end: number;
}

export interface Message {
  id: string;
  conversationId: string;
  role: MessageRole;
  text: string;
  status: MessageStatus;
  createdAt: number;
  /** The learner's recording, kept before upload so a failed request can be retried. */
  recordingId?: string;
  /** What went wrong, in words for the learner, when status is 'failed'. */
  error?: string;
  /** Assistant replies: the whole reply as generated, when only part of it was heard. */
  fullText?: string;
  timings: TurnTimings;
  /**
   * Learner turns, for the session's fluency figures: the words with their times when the
   * transcription gave them, and the spoken length in seconds (the server's, else the
   * recording's). Absent on turns recorded before they were kept.
   */
  words?: SpokenWord[];
  durationS?: number;
}

export interface Recording {
  id: string;
  conversationId: string;
  blob: Blob;
  /** The blob's size, kept beside it so measuring storage reads no audio (absent before 2026-11). */
  bytes?: number;
  mimeType: string;
  durationMs: number;
  createdAt: number;
  /** A practice attempt is deleted once judged; it never becomes a turn. */
  purpose?: 'turn' | 'practice';
}

/** The corrections of one learner sentence (features/corrections/notebook.ts), keyed by its message. */
export interface StoredCheck {
  messageId: string;
  conversationId: string;
  sentence: string;
  corrections: Correction[];
  natural: string;
  /** Indexes into `corrections` the learner dismissed with "I didn't say that". */
  dismissed: number[];
  /** The learner said the transcript is wrong: it is not what they said. */
  misheard: boolean;
  checkedAt: number;
}

/** A learner's result the last time they said the corrected sentence again. */
export interface AttemptRecord {
  at: number;
  said: string;
  right: number;
  total: number;
  allRight: boolean;
}

/** One correction kept for review, with the sentence it came from. */
export interface NotebookEntry {
  id: string;
  conversationId: string;
  messageId: string;
  /** Which correction of the message's check this is. */
  correctionIndex: number;
  sentence: string;
  /** The sentence with the check's (not dismissed) minimal fixes applied: what "Say it again" asks for. */
  correctedSentence: string;
  natural: string;
  correction: Correction;
  createdAt: number;
  /** ts-fsrs review state; `due` is copied out as a number for the index. */
  card: Card;
  due: number;
  lastAttempt?: AttemptRecord;
}

/** A page selection the learner read aloud, and how it went. */
export interface Reading {
  id: string;
  pageTitle: string;
  url: string;
  text: string;
  said: string;
  right: number;
  total: number;
  wordsPerMinute: number;
  durationMs: number;
  at: number;
}

/** A word or phrase from a page the learner asked about ("What does this mean?"). */
export interface VocabularyEntry {
  id: string;
  phrase: string;
  meaning: string;
  example: string;
  /** The explanation language it was explained in. */
  language: string;
  pageTitle: string;
  url: string;
  at: number;
}

export interface AITalkSchema extends DBSchema {
  conversations: { key: string; value: Conversation; indexes: { 'by-updated': number } };
  messages: { key: string; value: Message; indexes: { 'by-conversation': [string, number] } };
  recordings: { key: string; value: Recording; indexes: { 'by-conversation': string } };
  checks: { key: string; value: StoredCheck; indexes: { 'by-conversation': string } };
  notebook: { key: string; value: NotebookEntry; indexes: { 'by-due': number; 'by-message': string } };
  readings: { key: string; value: Reading; indexes: { 'by-at': number } };
  vocabulary: { key: string; value: VocabularyEntry; indexes: { 'by-at': number } };
}

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

export function newId(): string {
  return crypto.randomUUID();
}

/** A conversation's title until the learner's first words name it. */
export const UNTITLED = 'New conversation';

export async function createConversation(title = UNTITLED): Promise<Conversation> {
  const at = Date.now();
  const conversation: Conversation = { id: newId(), title, createdAt: at, updatedAt: at };
  await (await db()).put('conversations', conversation);
  return conversation;
}

/** Replaces the pages a conversation is about (the learner brought one in, or took one out). */
export async function setConversationPages(id: string, pages: PageCapture[]): Promise<Conversation | undefined> {
  const tx = (await db()).transaction('conversations', 'readwrite');
  const conversation = await tx.store.get(id);
  if (!conversation) return undefined;
  // A conversation still untitled is named after the page it is about.
  const title =
    conversation.title === UNTITLED && pages[0] ? titleFrom(pages[0].title || pages[0].url) : conversation.title;
  const next: Conversation = { ...conversation, title, pages, updatedAt: Date.now() };
  await tx.store.put(next);
  await tx.done;
  return next;
}

export async function putReading(reading: Reading): Promise<void> {
  await (await db()).put('readings', reading);
}

/** Newest first. */
export async function listReadings(): Promise<Reading[]> {
  return (await (await db()).getAllFromIndex('readings', 'by-at')).reverse();
}

export async function putVocabulary(entry: VocabularyEntry): Promise<void> {
  await (await db()).put('vocabulary', entry);
}

/** Newest first. */
export async function listVocabulary(): Promise<VocabularyEntry[]> {
  return (await (await db()).getAllFromIndex('vocabulary', 'by-at')).reverse();
}

export async function getConversation(id: string): Promise<Conversation | undefined> {
  return (await db()).get('conversations', id);
}

/** Most recently active first. */
export async function listConversations(): Promise<Conversation[]> {
  const all = await (await db()).getAllFromIndex('conversations', 'by-updated');
  return all.reverse();
}

export async function latestConversation(): Promise<Conversation | undefined> {
  const cursor = await (await db()).transaction('conversations').store.index('by-updated').openCursor(null, 'prev');
  return cursor?.value;
}

/** The notebook keeps its entries (each carries its sentence): they are the learner's study material. */
export async function deleteConversation(id: string): Promise<void> {
  const tx = (await db()).transaction(['conversations', 'messages', 'recordings', 'checks'], 'readwrite');
  await tx.objectStore('conversations').delete(id);
  const range = IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
  for (const key of await tx.objectStore('messages').index('by-conversation').getAllKeys(range)) {
    await tx.objectStore('messages').delete(key);
  }
  for (const key of await tx.objectStore('recordings').index('by-conversation').getAllKeys(id)) {
    await tx.objectStore('recordings').delete(key);
  }
  for (const key of await tx.objectStore('checks').index('by-conversation').getAllKeys(id)) {
    await tx.objectStore('checks').delete(key);
  }
  await tx.done;
}

export async function listMessages(conversationId: string): Promise<Message[]> {
  const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]);
  return (await db()).getAllFromIndex('messages', 'by-conversation', range);
}

/** Saves a message and marks its conversation as active (titling it from the first learner turn). */
export async function putMessage(message: Message): Promise<void> {
  const tx = (await db()).transaction(['messages', 'conversations'], 'readwrite');
  await tx.objectStore('messages').put(message);
  const conversation = await tx.objectStore('conversations').get(message.conversationId);
  if (conversation) {
    const untitled = conversation.title === UNTITLED;
    const title = untitled && message.role === 'user' && message.text ? titleFrom(message.text) : conversation.title;
    await tx.objectStore('conversations').put({ ...conversation, title, updatedAt: Date.now() });
  }
  await tx.done;
}

export async function putRecording(recording: Recording): Promise<void> {
  await (await db()).put('recordings', recording);
}

export async function deleteRecording(id: string): Promise<void> {
  await (await db()).delete('recordings', id);
}

export async function getRecording(id: string): Promise<Recording | undefined> {
  return (await db()).get('recordings', id);
}

function titleFrom(text: string): string {
  const words = text.trim().split(/\s+/);
  return words.length > 8 ? `${words.slice(0, 8).join(' ')}…` : words.join(' ');
}

/** Deletes a learner turn and its recording (an unsent recording the learner does not want). */
export async function deleteMessage(id: string): Promise<void> {
  const tx = (await db()).transaction(['messages', 'recordings'], 'readwrite');
  const message = await tx.objectStore('messages').get(id);
  await tx.objectStore('messages').delete(id);
  if (message?.recordingId) await tx.objectStore('recordings').delete(message.recordingId);
  await tx.done;
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
