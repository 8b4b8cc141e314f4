import { signal } from '@preact/signals';
import { newId } from '@/core/db/schema';
import { putReading, putVocabulary } from '@/features/page/page-db';
import { explainPhrase, MAX_PHRASE_WORDS, sentenceAround, type Explanation } from '@/features/page/explain-phrase';
import {
  captureProblem,
  restrictedReason,
  siteOf,
  wordCount,
  type CaptureResult,
  type PageCapture,
} from '@/features/page/page-capture';
import { readTab } from '@/features/page/read-tab';
import { originPattern, type PageRequest } from '@/features/settings/settings';
import type { BannerStore } from '../../panel/banner';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import type { PracticeResult } from '../talk/turn-runner';
import type { PracticeTarget } from '../talk/turn-machine';
import { t } from '@/core/i18n';

/**
 * The page the learner is reading, in the panel: pages brought into the conversation (the page
 * shortcut, a menu item, the panel's button), the latest selection with "Read it aloud", "Listen
 * first" and "What does this mean?", and what each came to. Page text only ever leaves for the
 * learner's own chat endpoint, and only because they asked.
 */

export interface PageSessionDeps {
  history: HistoryStore;
  settings: SettingsSync;
  banner: BannerStore;
  /** The teacher speaks first, about the page just brought in. */
  teacherOpens(): void;
  practise(target: PracticeTarget): void;
  readOut(text: string): Promise<void>;
  /** The page shortcut as Chrome has it ('' when unset), to name it in messages. */
  pageShortcutName(): string;
}

/** A reading's score: target words right of all, and words per minute over the recording. */
export function readingScore(result: PracticeResult): { right: number; total: number; wordsPerMinute: number } {
  const said = wordCount(result.said);
  const minutes = result.durationMs / 60_000;
  return {
    right: result.comparison?.right ?? 0,
    total: result.comparison?.total ?? 0,
    wordsPerMinute: minutes > 0 ? Math.round(said / minutes) : 0,
  };
}

export const READ_ALOUD_PREFIX = 'read-aloud:';

export type PageSession = ReturnType<typeof createPageSession>;

export function createPageSession({
  history,
  settings,
  banner,
  teacherOpens,
  practise,
  readOut,
  pageShortcutName,
}: PageSessionDeps) {
  /** The latest page read that had a selection: what "Read it aloud" and "What does this mean?" use. */
  const selection = signal<PageCapture | null>(null);
  const explanation = signal<{ status: 'working'; phrase: string } | ({ status: 'done' } & Explanation) | null>(null);

  /**
   * The page each read-aloud text came from, by target id: the learner may select text elsewhere
   * while an attempt is transcribed and judged, and its score belongs with the page it was read from.
   */
  const readFrom = new Map<string, PageCapture>();

  function readAloudTarget(page: PageCapture): PracticeTarget {
    return { id: `${READ_ALOUD_PREFIX}${page.id}`, text: page.selection, kind: 'read-aloud' };
  }

  function readAloud(page: PageCapture): void {
    const target = readAloudTarget(page);
    readFrom.set(target.id, page);
    practise(target);
  }

  async function bringIn(page: PageCapture): Promise<void> {
    // The same address again replaces its earlier capture (a new selection on the same page).
    const others = history.pages.value.filter((p) => p.url !== page.url);
    await history.setPages([...others, page]);
    banner.info(
      page.selection
        ? t('page.nowSelection', { title: page.title || siteOf(page.url) })
        : t('page.nowPage', { title: page.title || siteOf(page.url) }),
    );
    teacherOpens();
  }

  async function explain(phrase: string, page: PageCapture | null): Promise<void> {
    const words = wordCount(phrase);
    if (words === 0) return;
    if (words > MAX_PHRASE_WORDS) {
      banner.info(t('page.phraseTooLong', { max: MAX_PHRASE_WORDS }));
      return;
    }
    explanation.value = { status: 'working', phrase };
    try {
      const language = settings.settings.value.explanationLanguage;
      const found = await explainPhrase(
        settings.endpoints.value.chat,
        phrase,
        page ? sentenceAround(page.text, phrase) : '',
        language,
      );
      explanation.value = { status: 'done', ...found };
      await putVocabulary({
        id: newId(),
        phrase: found.phrase,
        meaning: found.meaning,
        example: found.example,
        language,
        pageTitle: page?.title ?? '',
        url: page?.url ?? '',
        at: Date.now(),
      });
      await readOut(`${found.meaning} ${found.example}`);
    } catch (error) {
      if (explanation.value?.phrase === phrase) explanation.value = null;
      banner.showError(error);
    }
  }

  /** A page read by the service worker (shortcut, menu) or by the panel's button. */
  async function handle(action: PageRequest['action'], result: CaptureResult): Promise<void> {
    const problem = captureProblem(result);
    if (problem || result.status !== 'captured') {
      banner.info(problem ?? '');
      return;
    }
    const page = result.page;
    if (page.selection) selection.value = page;
    switch (action) {
      case 'talk':
        await bringIn(page);
        return;
      case 'read-aloud':
        if (!page.selection) {
          banner.info(t('page.selectToRead'));
          return;
        }
        readAloud(page);
        return;
      case 'meaning':
        await explain(page.selection, page);
        return;
    }
  }

  /**
   * The panel's own "Talk about this page" button. A click in the panel gives no activeTab grant,
   * so a site not yet allowed is asked for once (Chrome's prompt), with the reason said first. The
   * panel cannot see the address of a tab it holds no grant for: the site asked for is the one the
   * tab shows when it is visible, else that of the page this conversation is about (the learner
   * reading on there).
   */
  async function readActiveTab(): Promise<void> {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    if (!tab) {
      await handle('talk', { status: 'restricted', url: '', reason: 'no-page' });
      return;
    }
    let result = await readTab(tab);
    if (result.status === 'not-allowed') {
      const site = result.url || history.pages.value.at(-1)?.url || '';
      if (site && !restrictedReason(site)) {
        banner.info(
          t('page.askPermission', { site: siteOf(site), shortcut: pageShortcutName() || t('page.pageShortcut') }),
        );
        const granted = await chrome.permissions.request({ origins: [originPattern(site)] });
        if (granted) {
          const [again] = await chrome.tabs.query({ active: true, currentWindow: true });
          result = again ? await readTab(again) : result;
        }
      }
    }
    await handle('talk', result);
  }

  return {
    selection,
    explanation,
    handle,
    readActiveTab,
    readAloudTarget,
    /** "Read it aloud" for the latest selection: records at once; pressed again, stops. */
    readAloud(): void {
      const page = selection.value;
      if (page) readAloud(page);
    },
    async listenFirst(): Promise<void> {
      const page = selection.value;
      if (page) await readOut(page.selection);
    },
    explainSelection(): Promise<void> {
      const page = selection.value;
      return page ? explain(page.selection, page) : Promise.resolve();
    },
    async removePage(id: string): Promise<void> {
      await history.setPages(history.pages.value.filter((p) => p.id !== id));
      banner.info(t('page.removedInfo'));
    },
    /** Keeps a reading (the learner's own record of it) when a read-aloud attempt was judged. */
    async keepReading(result: PracticeResult): Promise<void> {
      if (result.target.kind !== 'read-aloud') return;
      const page = readFrom.get(result.target.id);
      const score = readingScore(result);
      await putReading({
        id: newId(),
        pageTitle: page?.title ?? '',
        url: page?.url ?? '',
        text: result.target.text,
        said: result.said,
        right: score.right,
        total: score.total,
        wordsPerMinute: score.wordsPerMinute,
        durationMs: result.durationMs,
        at: result.at,
      });
    },
  };
}
