import type { HistoryStore } from '../conversations/history';
import type { TurnEvent } from './turn-machine';

/**
 * Messages of this panel's turns whose write to IndexedDB failed (storage full, say). They stay
 * shown and the turn goes on — the teacher answers a transcript kept only in memory — and the
 * banner offers to write them again.
 */
export function createUnsavedMessages(history: HistoryStore, dispatch: (event: TurnEvent) => void) {
  const unsaved = new Set<string>();

  return {
    /** A write of this message failed: the machine has the banner say so, with Retry. */
    failed(messageId: string, error: unknown): void {
      console.warn('AITalk: a message could not be saved', messageId, error);
      unsaved.add(messageId);
      dispatch({ type: 'not-saved', messageId, error });
    },
    /** A later write of it went through. */
    saved(messageId: string): void {
      unsaved.delete(messageId);
    },
    /** Retry: every message still unsaved that is in the open conversation is written again. */
    async saveAgain(): Promise<void> {
      for (const id of [...unsaved]) {
        const message = history.find(id);
        if (!message) {
          unsaved.delete(id); // its conversation was left: it is not this panel's to write any more
          continue;
        }
        try {
          await history.save(message);
          unsaved.delete(id);
        } catch (error) {
          dispatch({ type: 'not-saved', messageId: id, error });
          return;
        }
      }
    },
  };
}

export type UnsavedMessages = ReturnType<typeof createUnsavedMessages>;
