import { batch, computed, signal } from '@preact/signals';
import type { Conversation, Message } from '@/core/db/schema';
import {
  createConversation,
  deleteConversation as deleteConversationRecord,
  deleteMessage,
  countMessagesBefore,
  getConversation,
  latestConversation,
  latestMessages,
  listConversations,
  putMessage,
  setConversationPages,
  UNTITLED,
} from '@/core/db/conversations';
import type { PageCapture } from '@/features/page/page-capture';
import type { ChatTurn } from '@/features/talk/teacher-api';
import { t } from '@/core/i18n';
import {
  CHANGES_CHANNEL,
  IN_PROGRESS,
  isChange,
  messageLock,
  storedMessage,
  webLocks,
  type Change,
  type ChangeChannel,
  type MessageLocks,
} from './message-sharing';
import { createRecentWindow, RECENT_MESSAGES } from './recent-window';
import { teacherChat } from './teacher-context';

/**
 * The open conversation and the list of past ones. `messages` mirrors the recent part of the
 * conversation in IndexedDB: every change is shown at once and written as the turn goes, so closing
 * the panel loses nothing. Another window's panel may show the same conversation: each panel writes
 * its own turns, and shows the other's as they are written (message-sharing.ts).
 */
export type HistoryStore = ReturnType<typeof createHistory>;

export interface HistoryDeps {
  /** navigator.locks (tests give each panel its own view of one MemoryLocks). */
  locks?: MessageLocks;
  /** Where panels say what they wrote: a BroadcastChannel. */
  channel?: ChangeChannel;
}

export { EARLIER_PAGE, RECENT_MESSAGES } from './recent-window';
export { TEACHER_CONTEXT } from './teacher-context';

/** What a message cut off by its panel closing becomes: what was said is kept, and can be retried. */
function recovered(message: Message): Message {
  if (message.status === 'streaming') return { ...message, status: 'interrupted', fullText: message.text };
  return { ...message, status: 'failed', error: t('conversation.closedBeforeTranscribed') };
}

function merged(message: Message, changes: Partial<Message>): Message {
  return { ...message, ...changes, timings: { ...message.timings, ...changes.timings } };
}

export function createHistory({
  locks = webLocks(),
  channel = new BroadcastChannel(CHANGES_CHANNEL),
}: HistoryDeps = {}) {
  const conversation = signal<Conversation | null>(null);
  const messages = signal<Message[]>([]);
  /** How many messages of the open conversation are older than `messages` (left in IndexedDB). */
  const earlier = signal(0);
  const recent = createRecentWindow({ conversation, messages, earlier, asShown });
  const conversations = signal<Conversation[]>([]);
  /** Recordings made while the panel was closed, waiting to be sent or deleted. */
  const unsent = computed(() => messages.value.filter((m) => m.status === 'unsent'));
  /** The pages the open conversation is about, oldest first. */
  const pages = computed(() => conversation.value?.pages ?? []);
  /**
   * The messages this panel's turns are writing, with the newest copy of each (only some tokens of a
   * reply are written) and their lock, held until the final status is written.
   */
  const owned = new Map<string, { latest: Message; lock: Promise<() => void> }>();
  /** Messages another panel is writing: once its lock is free, this panel repairs what that panel left. */
  const watched = new Set<string>();
  /** The conversation being opened, and what other panels wrote to it meanwhile. */
  let opening: { id: string; missed: Set<string> } | null = null;
  const disposed = new AbortController();

  function upsertLocal(message: Message): void {
    if (message.conversationId !== conversation.value?.id) return;
    const list = messages.value;
    const index = list.findIndex((m) => m.id === message.id);
    if (index !== -1) {
      messages.value = list.map((m, i) => (i === index ? message : m));
      return;
    }
    // Older than every message kept while earlier ones are left in IndexedDB: one of those, changed
    // by another panel, or a new one among them; only their number is kept.
    const first = list[0];
    if (first && earlier.value > 0 && message.createdAt < first.createdAt) {
      if (!owned.has(message.id)) recent.recountLater();
      return;
    }
    // Another panel's message may be older than the newest one shown here.
    let at = list.length;
    while (at > 0 && list[at - 1]!.createdAt > message.createdAt) at--;
    recent.keep([...list.slice(0, at), message, ...list.slice(at)]);
  }

  function show(message: Message): void {
    upsertLocal(message);
    const own = owned.get(message.id);
    if (own) own.latest = message;
  }

  function find(id: string): Message | undefined {
    return messages.value.find((m) => m.id === id) ?? owned.get(id)?.latest;
  }

  function announce(change: Change): void {
    // A turn may still finish writing after its panel let go (a closed channel throws).
    if (!disposed.signal.aborted) channel.postMessage(change);
  }

  async function refresh(): Promise<void> {
    conversations.value = await listConversations();
  }

  /** Resolves, once the lock is granted, with its release. */
  function hold(id: string): Promise<() => void> {
    return new Promise((granted, refused) => {
      locks.request(messageLock(id), () => new Promise<void>((release) => granted(release))).catch(refused);
    });
  }

  /**
   * Writes a message. A turn's own message is written whole, under its lock (this panel's copy is
   * the newest). Any other write puts only its changes onto the stored copy, under the lock, so it
   * waits for a turn another panel is writing and never puts back an older text over a newer one.
   */
  async function write(next: Message, changes: Partial<Message>): Promise<Message> {
    let own = owned.get(next.id);
    // A panel takes a message on by putting it in progress, not by changing one that is.
    if (!own && changes.status !== undefined && IN_PROGRESS.has(changes.status)) {
      own = { latest: next, lock: hold(next.id) };
      owned.set(next.id, own);
    }
    if (own) {
      const final = !IN_PROGRESS.has(next.status);
      // A later write then asks for the lock again, and so lands after this one.
      if (final) owned.delete(next.id);
      const release = await own.lock;
      try {
        await putMessage(next);
      } finally {
        if (final) release();
      }
      announce({ conversationId: next.conversationId, messageId: next.id });
      return next;
    }
    const written = await locks.request(messageLock(next.id), async () => {
      const stored = await storedMessage(next.id);
      // Timings this panel only showed (when a check started, say) go with it; the stored ones stand.
      const timings = { ...next.timings, ...stored?.timings, ...changes.timings };
      const result = stored ? { ...merged(stored, changes), timings } : next;
      await putMessage(result);
      return result;
    });
    show(written);
    announce({ conversationId: written.conversationId, messageId: written.id });
    return written;
  }

  /** Under the message's lock: repairs it if its panel left it mid-turn; gives it as stored now. */
  async function repairStored(id: string): Promise<Message | undefined> {
    const stored = await storedMessage(id);
    if (!stored || !IN_PROGRESS.has(stored.status)) return stored;
    const fixed = recovered(stored);
    await putMessage(fixed);
    announce({ conversationId: fixed.conversationId, messageId: fixed.id });
    return fixed;
  }

  /** Another panel's message in progress: repaired here if that panel closes before it finishes. */
  function watch(id: string): void {
    if (watched.has(id) || owned.has(id)) return;
    watched.add(id);
    locks
      .request(messageLock(id), { signal: disposed.signal }, async () => {
        watched.delete(id);
        if (owned.has(id)) return;
        const message = await repairStored(id);
        if (message) show(message);
      })
      .catch(() => watched.delete(id));
  }

  /** A message found mid-turn on opening: repaired unless a live panel holds its lock. */
  async function recover(message: Message): Promise<Message | undefined> {
    const repaired = await locks.request(messageLock(message.id), { ifAvailable: true }, (lock) =>
      lock ? repairStored(message.id) : null,
    );
    if (repaired !== null) return repaired;
    watch(message.id);
    return message;
  }

  async function refreshConversation(id: string): Promise<void> {
    const found = await getConversation(id);
    if (found && conversation.value?.id === id) conversation.value = found;
    await refresh();
  }

  /** Another panel wrote: what it wrote is read again, if this panel shows that conversation. */
  async function follow({ conversationId, messageId }: Change): Promise<void> {
    if (opening?.id === conversationId) {
      if (messageId) opening.missed.add(messageId);
      return;
    }
    if (conversation.value?.id !== conversationId) {
      if (!messageId && conversations.value.some((c) => c.id === conversationId)) await refresh();
      return;
    }
    if (!messageId) return refreshConversation(conversationId);
    await reread(messageId);
  }

  async function reread(id: string): Promise<void> {
    if (owned.has(id)) return; // this panel's copy is the newest
    const stored = await storedMessage(id);
    if (owned.has(id)) return;
    if (!stored) {
      // Another panel deleted it: shown here, or among the earlier ones counted.
      if (messages.value.some((m) => m.id === id)) messages.value = messages.value.filter((m) => m.id !== id);
      else recent.recountLater();
      return;
    }
    show(stored);
    if (IN_PROGRESS.has(stored.status)) watch(id);
    // The learner's first words (said in the other window) named the conversation.
    if (stored.role === 'user' && stored.text && conversation.value?.title === UNTITLED) {
      await refreshConversation(stored.conversationId);
    }
  }

  channel.onmessage = (event) => {
    if (!isChange(event.data)) return;
    follow(event.data).catch((error: unknown) => console.warn('AITalk: could not follow another window', error));
  };

  /** The learner's first words name the conversation (putMessage did it in IndexedDB): shown here too. */
  async function showTitleFrom(message: Message): Promise<void> {
    const current = conversation.value;
    if (
      message.role === 'user' &&
      message.text &&
      current?.id === message.conversationId &&
      current.title === UNTITLED
    ) {
      conversation.value = (await getConversation(current.id)) ?? current;
      await refresh();
    }
  }

  async function save(message: Message): Promise<void> {
    show(message);
    await showTitleFrom(await write(message, message));
  }

  /**
   * Updates a message; `persist: false` only shows it (every token of a reply is shown, but
   * IndexedDB is written once per sentence).
   */
  async function patch(id: string, changes: Partial<Message>, persist = true): Promise<Message | undefined> {
    const current = find(id);
    if (!current) return undefined;
    const next = merged(current, changes);
    show(next);
    if (persist) await showTitleFrom(await write(next, changes));
    return next;
  }

  /** Stored messages as the panel shows them: this panel's own turns as it has them, and a turn cut off by its panel closing repaired (what was said is kept, and can be retried). */
  async function asShown(stored: Message[]): Promise<Message[]> {
    const shown = await Promise.all(
      stored.map((message) => {
        const own = owned.get(message.id);
        if (own) return own.latest;
        return IN_PROGRESS.has(message.status) ? recover(message) : message;
      }),
    );
    return shown.filter((message) => message !== undefined);
  }

  /** Opens a conversation at its recent part: its last RECENT_MESSAGES messages. */
  async function open(id: string): Promise<boolean> {
    const found = await getConversation(id);
    if (!found) return false;
    const watching = { id, missed: new Set<string>() };
    opening = watching;
    let list: Message[];
    let hidden: number;
    try {
      const stored = await latestMessages(id, RECENT_MESSAGES);
      hidden = stored[0] ? await countMessagesBefore(id, stored[0].createdAt, new Set(stored.map((m) => m.id))) : 0;
      list = await asShown(stored);
    } finally {
      if (opening === watching) opening = null;
    }
    recent.reset();
    batch(() => {
      conversation.value = found;
      messages.value = list;
      earlier.value = hidden;
    });
    await Promise.all([...watching.missed].map(reread));
    return true;
  }

  async function create(): Promise<Conversation> {
    const created = await createConversation();
    recent.reset();
    batch(() => {
      conversation.value = created;
      messages.value = [];
      earlier.value = 0;
    });
    await refresh();
    return created;
  }

  return {
    conversation,
    messages,
    earlier,
    conversations,
    unsent,
    pages,
    find,
    save,
    patch,
    refresh,
    open,
    showEarlier: () => recent.showEarlier(),
    create,
    /**
     * Stops following other windows and lets go of this panel's turns, as closing the panel does
     * (Chrome releases a closed page's locks by itself).
     */
    dispose(): void {
      disposed.abort();
      channel.onmessage = null;
      channel.close();
      for (const own of owned.values()) own.lock.then((release) => release()).catch(() => undefined);
      owned.clear();
    },
    /** Opens the most recent conversation, or starts one; true when one was started. */
    async openLatest(): Promise<boolean> {
      const latest = await latestConversation();
      if (latest && (await open(latest.id))) return false;
      await create();
      return true;
    },
    /** Deletes a conversation; true when it was the open one (the caller opens another). */
    async remove(id: string): Promise<boolean> {
      await deleteConversationRecord(id);
      announce({ conversationId: id });
      await refresh();
      return conversation.value?.id === id;
    },
    async removeMessage(id: string): Promise<void> {
      const conversationId = find(id)?.conversationId;
      await deleteMessage(id);
      messages.value = messages.value.filter((m) => m.id !== id);
      if (conversationId) announce({ conversationId, messageId: id });
    },
    /** Brings pages in or takes them out of the open conversation (kept in IndexedDB). */
    async setPages(next: PageCapture[]): Promise<void> {
      const current = conversation.value;
      if (!current) throw new Error(t('conversation.noConversation'));
      conversation.value = { ...current, pages: next };
      conversation.value = (await setConversationPages(current.id, next)) ?? conversation.value;
      announce({ conversationId: current.id });
      await refresh();
    },
    lastUserMessage(): Message | undefined {
      return [...messages.value].reverse().find((m) => m.role === 'user');
    },
    /** What the teacher is sent (./teacher-context.ts): its instructions, then the latest turns. */
    chat(instructions: string): ChatTurn[] {
      return teacherChat(instructions, messages.value, pages.value, earlier.value);
    },
  };
}
