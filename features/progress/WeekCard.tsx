import { currentLanguageTag, t } from '@/core/i18n';
import type { Improvement, WeekSummary } from './week-card';
import './progress.css';

function improvementText(item: Improvement): string {
  const figures = { now: item.now, before: item.before };
  switch (item.kind) {
    case 'minutes':
      return t('progress.improvedMinutes', figures);
    case 'wordsPerMinute':
      return t('progress.improvedWordsPerMinute', figures);
    case 'mistakes':
      return t('progress.improvedMistakes', { ...figures, kind: t(`correction.kind.${item.mistake}`) });
    case 'reviews':
      return t('progress.improvedReviews', figures);
    case 'pronunciation':
      return t('progress.improvedPronunciation', figures);
  }
}

export interface WeekCardProps {
  summary: WeekSummary;
  /** Opens the notebook and starts the first due "Say it again". */
  onReview(): void;
  /** Starts a conversation in the suggested scenario. */
  onPractise(): void;
  onDismiss(): void;
}

/** The week in a card: what improved, what to practise next, and buttons that start it. */
export function WeekCard({ summary, onReview, onPractise, onDismiss }: WeekCardProps) {
  const date = new Intl.DateTimeFormat(currentLanguageTag(), { dateStyle: 'medium' }).format(summary.weekStart);
  const scenario = t(`scenario.${summary.scenario}`);
  return (
    <section class="week-card" aria-labelledby="week-card-heading">
      <div class="week-card-top">
        <h2 id="week-card-heading">{t('progress.weekHeading')}</h2>
        <button type="button" class="quiet" aria-label={t('progress.dismiss')} onClick={onDismiss}>
          ✕
        </button>
      </div>
      <p>{t('progress.weekOf', { date, minutes: summary.minutesSpoken, turns: summary.turns })}</p>
      <h3>{t('progress.improved')}</h3>
      {summary.improved.length > 0 ? (
        <ul class="week-improved">
          {summary.improved.map((item) => (
            <li key={item.kind === 'mistakes' ? item.mistake : item.kind}>{improvementText(item)}</li>
          ))}
        </ul>
      ) : (
        <p>{t('progress.noImprovement')}</p>
      )}
      <h3>{t('progress.next')}</h3>
      <ul class="week-next">
        {summary.topMistake && (
          <li>
            {t('progress.nextMistake', {
              kind: t(`correction.kind.${summary.topMistake.kind}`),
              count: summary.topMistake.count,
            })}
          </li>
        )}
        <li>{t('progress.nextScenario', { scenario })}</li>
      </ul>
      <div class="week-card-actions">
        {summary.due > 0 && (
          <button type="button" onClick={onReview}>
            {t('progress.review', summary.due)}
          </button>
        )}
        <button type="button" onClick={onPractise}>
          {t('progress.practise', { scenario })}
        </button>
      </div>
    </section>
  );
}
