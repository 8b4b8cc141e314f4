import { db } from './open';
import { newId, type Conversation, type Message } from './schema';
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
