import type { Message, MessageStatus } from '@/core/db/schema';
import { db } from '@/core/db/open';
import { MemoryLocks } from './memory-locks';

/**
 * What lets panels in several windows share one conversation
 * (docs/ARCHITECTURE.md, "State in the panel"). A panel owns a message while its turn writes it: it
 * holds the message's Web Lock from the first write of a 'transcribing' or 'streaming' copy until
 * its final status is written, and Chrome releases the lock by itself when that panel closes or
 * crashes. After every write a panel says so on a BroadcastChannel, and the panels showing that
 * conversation read the message again.
 */

/** A turn is still writing a message in these states; a message left in one after its panel died is repaired. */
export const IN_PROGRESS: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  'recorded',
  'transcribing',
  'streaming',
]);

export function messageLock(id: string): string {
  return `aitalk-message-${id}`;
}

export type MessageLocks = Pick<LockManager, 'request'>;

let realmLocks: MemoryLocks | undefined;

/** The browser's Web Locks, or, where there are none (happy-dom), one lock manager for this realm. */
export function webLocks(): MessageLocks {
  if (typeof navigator !== 'undefined' && navigator.locks) return navigator.locks;
  return (realmLocks ??= new MemoryLocks());
}

export const CHANGES_CHANNEL = 'aitalk-conversation-changes';

/** What a panel says after it wrote: a message (added, changed or deleted), or the conversation itself. */
export interface Change {
  conversationId: string;
  messageId?: string;
}

/** The part of a BroadcastChannel history uses (FakeBroadcastChannel in core/testing/fakes.ts has it too). */
export interface ChangeChannel {
  postMessage(data: Change): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  close(): void;
}

export function isChange(data: unknown): data is Change {
  if (typeof data !== 'object' || data === null) return false;
  const { conversationId, messageId } = data as Record<string, unknown>;
  return typeof conversationId === 'string' && (messageId === undefined || typeof messageId === 'string');
}

/** One message as IndexedDB has it now. */
export async function storedMessage(id: string): Promise<Message | undefined> {
  return (await db()).get('messages', id);
}
