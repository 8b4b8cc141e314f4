import { batch, type Signal } from '@preact/signals';
import type { Conversation, Message } from '@/core/db/schema';
import { countMessagesBefore, messagesBefore } from '@/core/db/conversations';

/**
 * How many of the open conversation's newest messages the panel keeps in memory; older ones stay in
 * IndexedDB and come back while the learner asks to see them ("Show earlier messages"). Keeping every
 * message (texts, word timings, timings, and the correction card of each) grew the panel's heap by
 * ~2.3 KB a turn in the 200-turn soak. It is above what the view renders (40, features/talk/MessageList.tsx)
 * and what the teacher is sent (TEACHER_CONTEXT, ./teacher-context.ts), so neither ever waits for IndexedDB.
 */
export const RECENT_MESSAGES = 60;
/** How many earlier messages each "Show earlier messages" brings back from IndexedDB. */
export const EARLIER_PAGE = 40;

export interface RecentWindowDeps {
  conversation: Signal<Conversation | null>;
  messages: Signal<Message[]>;
  /** How many messages of the open conversation are older than `messages` (left in IndexedDB). */
  earlier: Signal<number>;
  /** Stored messages as the panel shows them (history.ts: its own turns as it has them, cut-off ones repaired). */
  asShown(stored: Message[]): Promise<Message[]>;
}

/** The recent part of the open conversation that history.ts keeps: what is released, counted and brought back. */
export function createRecentWindow({ conversation, messages, earlier, asShown }: RecentWindowDeps) {
  /**
   * The learner asked to see earlier messages: none is released until the conversation is opened
   * again, so what they are reading does not vanish with the next turn.
   */
  let showingEarlier = false;

  /** Counts again, from IndexedDB, the messages older than those kept. */
  async function recount(): Promise<void> {
    const open = conversation.value?.id;
    if (!open) return;
    const first = messages.value[0];
    const count = await countMessagesBefore(
      open,
      first?.createdAt ?? Infinity,
      new Set(messages.value.map((m) => m.id)),
    );
    if (conversation.value?.id === open && messages.value[0]?.id === first?.id) earlier.value = count;
  }

  return {
    /** A conversation was opened or started: its recent part only, again. */
    reset(): void {
      showingEarlier = false;
    },
    /** Keeps `list`, releasing its oldest messages beyond RECENT_MESSAGES (they are counted as earlier). */
    keep(list: Message[]): void {
      const over = showingEarlier ? 0 : list.length - RECENT_MESSAGES;
      if (over <= 0) {
        messages.value = list;
        return;
      }
      batch(() => {
        messages.value = list.slice(over);
        earlier.value += over;
      });
    },
    recountLater(): void {
      recount().catch((error: unknown) => console.warn('AITalk: could not count the earlier messages', error));
    },
    /**
     * "Show earlier messages": the EARLIER_PAGE messages before those kept come back from IndexedDB
     * (with their correction cards, features/corrections/corrections-store.ts), and from now on none
     * is released until the conversation is opened again.
     */
    async showEarlier(): Promise<void> {
      const open = conversation.value?.id;
      if (!open) return;
      showingEarlier = true;
      if (earlier.value === 0) return;
      const kept = new Set(messages.value.map((m) => m.id));
      const first = messages.value[0]?.createdAt ?? Infinity;
      const found = await asShown(await messagesBefore(open, first, kept, EARLIER_PAGE));
      const from = found[0];
      if (!from) return recount();
      const hidden = await countMessagesBefore(open, from.createdAt, new Set([...kept, ...found.map((m) => m.id)]));
      if (conversation.value?.id !== open) return;
      // Messages written meanwhile (a turn, another panel's) stay; one already kept is not doubled.
      const now = new Set(messages.value.map((m) => m.id));
      batch(() => {
        messages.value = [...found.filter((m) => !now.has(m.id)), ...messages.value];
        earlier.value = hidden;
      });
    },
  };
}
