import { t } from '@/core/i18n';
import type { BannerStore } from '../../panel/banner';
import type { Shown } from '../../panel/shown';
import type { HistoryStore } from '../conversations/history';
import type { MemoryStore } from '../memory/memory-store';
import type { SoundsStore } from '../pronunciation/sounds-store';
import type { NotebookStore } from './notebook-store';

export interface NotebookActionsDeps {
  notebook: NotebookStore;
  sounds: SoundsStore;
  history: HistoryStore;
  banner: BannerStore;
  /** The facts a summed-up conversation proposes (features/memory/memory-store.ts). */
  memory: Pick<MemoryStore, 'propose'>;
  shown: Shown;
}

/**
 * What the panel's views may do with the notebook (NotebookPanel.tsx): its entries and its Sounds
 * tab, the exports, and the session card; each action that can fail shows its failure in the banner.
 */
export function notebookActions({ notebook, sounds, history, banner, memory, shown }: NotebookActionsDeps) {
  return {
    notebook: notebook.entries,
    refreshNotebook: shown(() => t('app.actionReadNotebook'), notebook.refresh),
    /** The notebook's Sounds tab: the sounds to work on, the one due soonest first. */
    sounds: sounds.sounds,
    refreshSounds: shown(() => t('app.actionReadNotebook'), sounds.refresh),
    exportNotebookCsv: shown(() => t('app.actionExportNotebook'), notebook.exportCsv),
    exportNotebookAnki: shown(() => t('app.actionExportNotebook'), notebook.exportAnki),
    exportConversation: shown(
      () => t('app.actionExportConversation'),
      async (conversationId: string) => {
        const title = history.conversations.value.find((c) => c.id === conversationId)?.title ?? 'conversation';
        await notebook.exportConversation(conversationId, title);
      },
    ),
    /** The session card on show (after New conversation, or Summary). */
    session: notebook.session,
    summarize: shown(
      () => t('app.actionSummarize'),
      async () => {
        const conversation = history.conversation.value;
        if (!conversation || !(await notebook.summarize(conversation.id))) {
          banner.info(t('app.nothingToSummarize'));
          return;
        }
        await memory.propose(conversation.id);
      },
    ),
    closeSession: notebook.closeSession,
  };
}

/** Reads the notebook again; a failure is only logged (the next change or a visit to the notebook reads it). */
export function refreshNotebookQuietly(notebook: NotebookStore): void {
  notebook.refresh().catch((error: unknown) => console.warn('AITalk: could not read the notebook', error));
}
