import { pageBrief, siteOf, type PageCapture } from '@/features/page/page-capture';
import { readingScore } from './page-session';
import { AttemptResult } from '../corrections/SayItAgain';
import { useStore } from '../../panel/store-context';
import { t } from '@/core/i18n';

/**
 * The page the conversation is about and the latest selection, in the panel. Everything from the
 * page is rendered as text (Preact escapes it); the only link is to the page's own http(s) address.
 */

function safeHref(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? url : undefined;
}

function PageItem({ page, onRemove }: { page: PageCapture; onRemove(): void }) {
  const href = safeHref(page.url);
  return (
    <li class="page-item">
      <p class="page-title">{page.title || siteOf(page.url)}</p>
      <p class="page-site">
        {siteOf(page.url)}
        {href && (
          <>
            {' · '}
            <a href={href} target="_blank" rel="noopener noreferrer">
              {t('page.openPage')}
            </a>
          </>
        )}
      </p>
      <details class="page-given">
        <summary>{t('page.given')}</summary>
        {/* Scrollable, so it takes the focus: a keyboard can scroll it too. */}
        <pre class="page-brief" tabIndex={0} role="region" aria-label={t('page.given')}>
          {pageBrief(page)}
        </pre>
      </details>
      <button type="button" class="page-remove" onClick={onRemove}>
        {t('page.remove')}
      </button>
    </li>
  );
}

function Selection() {
  const store = useStore();
  const page = store.selection.value;
  if (!page) return null;
  const target = store.readAloudTarget(page);
  const practising = store.practice.value?.id === target.id;
  const phase = store.phase.value;
  const recording = practising && phase === 'recording';
  const checking = practising && !recording;
  const result = store.attempts.value[target.id];
  const explanation = store.explanation.value;
  const busy = !practising && phase !== 'idle';
  return (
    <section class="selection" aria-label={t('page.selectionLabel')}>
      <blockquote class="selection-text">{page.selection}</blockquote>
      <div class="selection-actions">
        <button
          type="button"
          class={recording ? 'read-aloud-button recording' : 'read-aloud-button'}
          aria-pressed={recording}
          disabled={checking || busy}
          onClick={store.readAloud}
        >
          {recording ? t('page.stopReading') : checking ? t('correction.checkingAttempt') : t('page.readAloud')}
        </button>
        <button type="button" disabled={practising || busy} onClick={() => void store.listenFirst()}>
          {t('page.listenFirst')}
        </button>
        <button
          type="button"
          disabled={explanation?.status === 'working'}
          onClick={() => void store.explainSelection()}
        >
          {t('page.whatMeans')}
        </button>
      </div>
      {recording && (
        <p class="say-again-target" role="status">
          {t('page.readTarget', { key: store.shortcut.value || t('talk.button.idle') })}
        </p>
      )}
      {result && !practising && (
        <div class="reading-result">
          {result.comparison && (
            <p class="reading-score" role="status">
              {(() => {
                const score = readingScore(result);
                return t('page.score', { right: score.right, total: score.total, wpm: score.wordsPerMinute });
              })()}
            </p>
          )}
          <AttemptResult
            comparison={result.comparison}
            said={result.said}
            pronunciation={result.pronunciation}
            onPlayWord={(wordIndex) => void store.playAttemptWord(target.id, wordIndex)}
          />
        </div>
      )}
      {explanation?.status === 'working' && <p role="status">{t('page.lookingUp', { phrase: explanation.phrase })}</p>}
      {explanation?.status === 'done' && (
        <dl class="explanation" aria-label={t('page.meaningLabel')}>
          <dt>{explanation.phrase}</dt>
          <dd class="explanation-meaning">{explanation.meaning}</dd>
          <dd class="explanation-example">{t('page.example', { example: explanation.example })}</dd>
        </dl>
      )}
    </section>
  );
}

export function PagePanel() {
  const store = useStore();
  const pages = store.pages.value;
  const hint = store.pageShortcut.value ? ` ${t('page.shortcutHint', { shortcut: store.pageShortcut.value })}` : '';
  return (
    <div class="page-panel">
      {pages.length > 0 && (
        <section class="pages" aria-label={t('page.pagesLabel')}>
          <h2>{t('page.talkingAbout')}</h2>
          <ul>
            {[...pages].reverse().map((page) => (
              <PageItem key={page.id} page={page} onRemove={() => void store.removePage(page.id)} />
            ))}
          </ul>
        </section>
      )}
      <Selection />
      <p class="page-read">
        <button type="button" disabled={!store.ready.value} onClick={() => void store.readPage()}>
          {t('page.talkAboutPage')}
        </button>
        <span class="hint">{hint}</span>
      </p>
    </div>
  );
}
