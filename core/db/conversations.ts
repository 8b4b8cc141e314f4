import { db } from './open';
import { newId, type Conversation, type Message } from './schema';
import { deletePracticeOf } from './sounds';
import type { PageCapture } from '../../features/page/page-capture';

/** Conversations and their messages, which are written and deleted together. */

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

/**
 * Deletes a conversation with everything said and judged in it: messages, recordings, checks, judged attempts and
 * what those attempts put into the sounds. The notebook keeps its entries (each carries its sentence): they are
 * the learner's study material.
 */
export async function deleteConversation(id: string): Promise<void> {
  const tx = (await db()).transaction(
    ['conversations', 'messages', 'recordings', 'checks', 'attempts', 'sounds'],
    'readwrite',
  );
  try {
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
    await deletePracticeOf(tx, id);
  } catch (error) {
    // A request that fails aborts the transaction by itself; an exception between requests would not, and what
    // was already deleted would be committed without the rest. Its `done` then rejects too: the error is this one.
    tx.done.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // Already aborted by the request that failed.
    }
    throw error;
  }
  await tx.done;
}

export async function listMessages(conversationId: string): Promise<Message[]> {
  const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]);
  return (await db()).getAllFromIndex('messages', 'by-conversation', range);
}

/**
 * The newest `limit` messages of a conversation, oldest first: what a panel keeps of a long
 * conversation (features/conversations/history.ts), read newest-first on the conversation's index
 * so that the rest is never read.
 */
export async function latestMessages(conversationId: string, limit: number): Promise<Message[]> {
  return newestFirst(conversationId, Infinity, new Set(), limit);
}

/**
 * Up to `limit` messages said before `createdAt` (at it too, when their id is not in `shown`: two
 * messages of one millisecond), oldest first.
 */
export async function messagesBefore(
  conversationId: string,
  createdAt: number,
  shown: ReadonlySet<string>,
  limit: number,
): Promise<Message[]> {
  return newestFirst(conversationId, createdAt, shown, limit);
}

async function newestFirst(
  conversationId: string,
  upTo: number,
  skip: ReadonlySet<string>,
  limit: number,
): Promise<Message[]> {
  const found: Message[] = [];
  if (limit <= 0) return found;
  const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, upTo]);
  let cursor = await (await db()).transaction('messages').store.index('by-conversation').openCursor(range, 'prev');
  while (cursor && found.length < limit) {
    if (!skip.has(cursor.value.id)) found.push(cursor.value);
    cursor = await cursor.continue();
  }
  return found.reverse();
}

/** How many messages were said before `createdAt` (at it too, when their id is not in `shown`). */
export async function countMessagesBefore(
  conversationId: string,
  createdAt: number,
  shown: ReadonlySet<string>,
): Promise<number> {
  const index = (await db()).transaction('messages').store.index('by-conversation');
  const before = await index.count(
    IDBKeyRange.bound([conversationId, -Infinity], [conversationId, createdAt], false, true),
  );
  const tied = await index.getAllKeys(IDBKeyRange.only([conversationId, createdAt]));
  return before + tied.filter((id) => !shown.has(id)).length;
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
