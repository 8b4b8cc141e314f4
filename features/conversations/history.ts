import { batch, computed, signal } from '@preact/signals';
import {
  createConversation,
  deleteConversation as deleteConversationRecord,
  deleteMessage,
  getConversation,
  latestConversation,
  listConversations,
  listMessages,
  putMessage,
  setConversationPages,
  UNTITLED,
  type Conversation,
  type Message,
} from '@/core/db';
import { newPagePrompt, pageContext, type PageCapture } from '@/features/page/page-capture';
import type { ChatTurn } from '@/features/talk/teacher-api';
import { t } from '@/core/i18n';

/**
 * The open conversation and the list of past ones. `messages` mirrors IndexedDB: every change
 * is shown at once and written as the turn goes, so closing the panel loses nothing.
 */
export type HistoryStore = ReturnType<typeof createHistory>;

export function createHistory() {
  const conversation = signal<Conversation | null>(null);
  const messages = signal<Message[]>([]);
  const conversations = signal<Conversation[]>([]);
  /** Recordings made while the panel was closed, waiting to be sent or deleted. */
  const unsent = computed(() => messages.value.filter((m) => m.status === 'unsent'));
  /** The pages the open conversation is about, oldest first. */
  const pages = computed(() => conversation.value?.pages ?? []);

  function upsertLocal(message: Message): void {
    if (message.conversationId !== conversation.value?.id) return;
    const list = messages.value;
    const index = list.findIndex((m) => m.id === message.id);
    messages.value = index === -1 ? [...list, message] : list.map((m, i) => (i === index ? message : m));
  }

  function find(id: string): Message | undefined {
    return messages.value.find((m) => m.id === id);
  }

  async function refresh(): Promise<void> {
    conversations.value = await listConversations();
  }

  async function save(message: Message): Promise<void> {
    upsertLocal(message);
    await putMessage(message);
    // The learner's first words name the conversation (putMessage did it in IndexedDB).
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

  /**
   * Updates a message; `persist: false` only shows it (every token of a reply is shown, but
   * IndexedDB is written once per sentence).
   */
  async function patch(id: string, changes: Partial<Message>, persist = true): Promise<Message | undefined> {
    const current = find(id);
    if (!current) return undefined;
    const next: Message = { ...current, ...changes, timings: { ...current.timings, ...changes.timings } };
    if (persist) await save(next);
    else upsertLocal(next);
    return next;
  }

  async function open(id: string): Promise<boolean> {
    const found = await getConversation(id);
    if (!found) return false;
    const list = await listMessages(id);
    // A turn cut off by the panel closing: keep what was said, and let it be retried.
    const recovered = await Promise.all(
      list.map(async (message) => {
        let fixed: Message | undefined;
        if (message.status === 'streaming') fixed = { ...message, status: 'interrupted', fullText: message.text };
        if (message.status === 'transcribing' || message.status === 'recorded') {
          fixed = {
            ...message,
            status: 'failed',
            error: t('conversation.closedBeforeTranscribed'),
          };
        }
        if (!fixed) return message;
        await putMessage(fixed);
        return fixed;
      }),
    );
    batch(() => {
      conversation.value = found;
      messages.value = recovered;
    });
    return true;
  }

  async function create(): Promise<Conversation> {
    const created = await createConversation();
    batch(() => {
      conversation.value = created;
      messages.value = [];
    });
    await refresh();
    return created;
  }

  return {
    conversation,
    messages,
    conversations,
    unsent,
    pages,
    find,
    save,
    patch,
    refresh,
    open,
    create,
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
      await refresh();
      return conversation.value?.id === id;
    },
    async removeMessage(id: string): Promise<void> {
      await deleteMessage(id);
      messages.value = messages.value.filter((m) => m.id !== id);
    },
    /** Brings pages in or takes them out of the open conversation (kept in IndexedDB). */
    async setPages(next: PageCapture[]): Promise<void> {
      const current = conversation.value;
      if (!current) throw new Error(t('conversation.noConversation'));
      conversation.value = { ...current, pages: next };
      conversation.value = (await setConversationPages(current.id, next)) ?? conversation.value;
      await refresh();
    },
    lastUserMessage(): Message | undefined {
      return [...messages.value].reverse().find((m) => m.role === 'user');
    },
    /**
     * What the teacher is sent: the instructions (with the page the conversation is about, so
     * every turn stays grounded in it), then every turn that was heard or said.
     */
    chat(instructions: string): ChatTurn[] {
      const context = pageContext(pages.value);
      const turns: ChatTurn[] = [{ role: 'system', content: context ? `${instructions}\n\n${context}` : instructions }];
      for (const message of messages.value) {
        if (!message.text) continue;
        if (message.role === 'user' && message.status === 'done') turns.push({ role: 'user', content: message.text });
        if (message.role === 'assistant' && (message.status === 'done' || message.status === 'interrupted')) {
          turns.push({ role: 'assistant', content: message.text });
        }
      }
      // A page brought in after the last turn: the teacher's next words are about it. In the same
      // millisecond counts as after (a page shortcut pressed as a fresh panel asks its opening
      // question): a reply's own message is only created once its request is built.
      const newest = pages.value.at(-1);
      const lastAt = messages.value.at(-1)?.createdAt ?? 0;
      if (newest && newest.capturedAt >= lastAt) {
        turns.push({ role: 'system', content: newPagePrompt(newest) });
      }
      return turns;
    },
  };
}
