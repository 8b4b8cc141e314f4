import { signal } from '@preact/signals';
import type { NotebookEntry } from '@/core/db/schema';
import { listMessages } from '@/core/db/conversations';
import { getRecording } from '@/core/db/recordings';
import { listJudgedAttempts } from '@/core/db/sounds';
import type { SpokenTurn } from '@/features/corrections/fluency';
import { listChecks, listNotebook } from '@/features/corrections/notebook';
import {
  downloadText,
  exportConversationMarkdown,
  exportNotebookAnki,
  exportNotebookCsv,
  fileNameFor,
  localDate,
} from '@/features/corrections/notebook-export';
import { sessionSummary, type SessionSummary } from '@/features/corrections/session-summary';

/**
 * The notebook as the panel shows it (every correction kept, newest first), its exports, and the
 * session card's summary of a conversation.
 */

export type NotebookStore = ReturnType<typeof createNotebook>;

/** A learner turn as the fluency figures need it; older turns without a kept length use their recording's. */
async function spokenTurnsOf(conversationId: string): Promise<SpokenTurn[]> {
  const messages = await listMessages(conversationId);
  const turns: SpokenTurn[] = [];
  for (const message of messages) {
    if (message.role !== 'user' || message.status !== 'done' || !message.text) continue;
    let durationS = message.durationS;
    if (durationS === undefined && message.recordingId) {
      const recording = await getRecording(message.recordingId);
      if (recording) durationS = recording.durationMs / 1000;
    }
    turns.push({ text: message.text, words: message.words, durationS });
  }
  return turns;
}

export function createNotebook() {
  const entries = signal<NotebookEntry[]>([]);
  /** The session card, while it is shown. */
  const session = signal<SessionSummary | null>(null);

  async function refresh(): Promise<void> {
    entries.value = await listNotebook();
  }

  return {
    entries,
    session,
    refresh,
    async exportCsv(): Promise<void> {
      downloadText(`aitalk-notebook-${localDate(Date.now())}.csv`, await exportNotebookCsv(), 'text/csv;charset=utf-8');
    },
    /** A deck for Anki (see notebookAnki): a .txt, the extension Anki's import dialog lists first. */
    async exportAnki(): Promise<void> {
      downloadText(
        `aitalk-notebook-anki-${localDate(Date.now())}.txt`,
        await exportNotebookAnki(),
        'text/plain;charset=utf-8',
      );
    },
    async exportConversation(conversationId: string, title: string): Promise<void> {
      const markdown = await exportConversationMarkdown(conversationId);
      if (markdown === undefined) throw new Error('this conversation was deleted');
      downloadText(fileNameFor(title, 'md'), markdown, 'text/markdown;charset=utf-8');
    },
    /** Shows the session card of a conversation; false when the learner has not spoken in it. */
    async summarize(conversationId: string): Promise<boolean> {
      const [checks, turns, judged] = await Promise.all([
        listChecks(conversationId),
        spokenTurnsOf(conversationId),
        listJudgedAttempts(conversationId),
      ]);
      if (turns.length === 0 && checks.length === 0 && judged.length === 0) return false;
      session.value = sessionSummary(
        [...checks].sort((a, b) => a.checkedAt - b.checkedAt),
        turns,
        judged,
      );
      return true;
    },
    closeSession(): void {
      session.value = null;
    },
  };
}
