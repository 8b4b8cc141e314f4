import { effect } from '@preact/signals';
import { newId } from '@/core/db/schema';
import { t } from '@/core/i18n';
import type { BannerStore } from '../../panel/banner';
import type { Shown } from '../../panel/shown';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import type { TurnRunner } from '../talk/turn-runner';
import type { PageSession } from './page-session';

export interface PageQuestionDeps {
  turn: Pick<TurnRunner, 'phase' | 'dispatch'>;
  settings: SettingsSync;
  banner: BannerStore;
}

/** A page was just brought in: the teacher asks about it, whether or not the conversation is new. */
export function createPageQuestion({ turn, settings, banner }: PageQuestionDeps) {
  let pending: (() => void) | null = null;

  function ask(): void {
    if (!settings.hasKey.value) {
      banner.notify({ kind: 'info', text: { id: 'no-key' }, action: 'settings' });
      return;
    }
    pending?.();
    // The machine only lets the teacher open into silence: a page that arrives while a turn or a
    // reply is going (a fresh panel's opening question) is asked about as soon as that is over.
    const stop = effect(() => {
      if (turn.phase.value !== 'idle') return;
      queueMicrotask(() => {
        stop();
        if (pending === stop) pending = null;
        turn.dispatch({ type: 'teacher-opens', replyId: newId() });
      });
    });
    pending = stop;
  }

  /** The panel goes away: a question still waiting for silence is not asked. */
  function cancel(): void {
    pending?.();
  }

  return { ask, cancel };
}

/**
 * What the panel's views may do with the pages of the conversation (PagePanel.tsx): the pages and
 * the latest selection, and each action wrapped so that a failure shows in the banner.
 */
export function pageActions(page: PageSession, history: HistoryStore, shown: Shown) {
  return {
    /** The pages this conversation is about (what the teacher is given), oldest first. */
    pages: history.pages,
    /** The latest page selection: for "Read it aloud", "Listen first", "What does this mean?". */
    selection: page.selection,
    explanation: page.explanation,
    readAloudTarget: page.readAloudTarget,
    readAloud: page.readAloud,
    listenFirst: shown(() => t('app.actionReadSelectionAloud'), page.listenFirst),
    explainSelection: shown(() => t('app.actionExplainSelection'), page.explainSelection),
    removePage: shown(() => t('app.actionRemovePage'), page.removePage),
    readPage: shown(() => t('app.actionReadPage'), page.readActiveTab),
  };
}
