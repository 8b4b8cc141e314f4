import { useMemo, useState } from 'preact/hooks';
import { currentLanguageTag, t } from '@/core/i18n';
import { ProgressChart, type ChartSpec } from './ProgressChart';
import { MISTAKE_KINDS, type PeriodFigures, type Progress } from './progress-data';
import './progress.css';

export type Period = 'days' | 'weeks';

const dayLabel = (at: number) =>
  new Intl.DateTimeFormat(currentLanguageTag(), { month: 'numeric', day: 'numeric' }).format(at);

/** The charts of one period, each with the same numbers as its table. */
export function chartsOf(progress: Progress, period: Period): ChartSpec[] {
  const rows: PeriodFigures[] = period === 'days' ? progress.days : progress.weeks;
  const labels = rows.map((row) => dayLabel(row.start));
  const rowHeader = period === 'days' ? t('progress.day') : t('progress.week');
  const values = (pick: (row: PeriodFigures) => number | null) => rows.map(pick);
  const charts: ChartSpec[] = [
    {
      id: 'minutes',
      title: t('progress.chartMinutes'),
      rowHeader,
      labels,
      series: [
        { label: t('progress.minutes'), values: values((row) => row.minutesSpoken), bars: true },
        { label: t('progress.turns'), values: values((row) => row.turns), right: true },
      ],
    },
    {
      id: 'wpm',
      title: t('progress.chartWordsPerMinute'),
      rowHeader,
      labels,
      series: [{ label: t('progress.wordsPerMinute'), values: values((row) => row.wordsPerMinute) }],
    },
    {
      id: 'mistakes',
      title: t('progress.chartMistakes'),
      rowHeader,
      labels,
      series: MISTAKE_KINDS.map((kind) => ({
        label: t(`correction.kind.${kind}`),
        values: values((row) => row.mistakesPer100?.[kind] ?? null),
      })),
    },
  ];
  // By day, the reviews chart runs on into the coming week, where reviews fall due.
  const reviewRows = period === 'days' ? [...rows, ...progress.upcoming] : rows;
  const today = rows.length - 1;
  charts.push({
    id: 'reviews',
    title: t('progress.chartReviews'),
    rowHeader,
    labels: reviewRows.map((row) => dayLabel(row.start)),
    series: [
      {
        label: t('progress.reviewsDone'),
        values: reviewRows.map((row, index) => (index <= today ? row.reviewsDone : null)),
        bars: true,
      },
      ...(period === 'days'
        ? [
            {
              label: t('progress.reviewsDue'),
              values: reviewRows.map((row, index) => (index >= today ? row.reviewsDue : null)),
            },
          ]
        : []),
    ],
  });
  if (progress.hasPronunciation) {
    charts.push({
      id: 'pronunciation',
      title: t('progress.chartPronunciation'),
      rowHeader,
      labels,
      series: [{ label: t('progress.score'), values: values((row) => row.pronunciationScore) }],
    });
  }
  return charts;
}

export interface ProgressViewProps {
  progress: Progress | null;
  error?: string | null;
  onThisWeek(): void;
}

export function ProgressView({ progress, error, onThisWeek }: ProgressViewProps) {
  const [period, setPeriod] = useState<Period>('days');
  const language = currentLanguageTag();
  // The same specs while nothing changed: a new one re-draws its canvas.
  const charts = useMemo(() => (progress?.any ? chartsOf(progress, period) : []), [progress, period, language]);
  return (
    <section class="progress" aria-labelledby="progress-heading">
      <div class="progress-header">
        <h2 id="progress-heading">{t('progress.heading')}</h2>
        {progress?.any && (
          <button type="button" onClick={onThisWeek}>
            {t('progress.thisWeek')}
          </button>
        )}
      </div>
      {error && (
        <p class="progress-error" role="alert">
          {error}
        </p>
      )}
      {!progress && !error && <p role="status">{t('progress.loading')}</p>}
      {progress && !progress.any && <p class="empty">{t('progress.empty')}</p>}
      {progress?.any && (
        <>
          <p class="progress-streak">
            <strong>{t('progress.streak', progress.streak)}</strong> · {t('progress.dueToday', progress.dueToday)}
          </p>
          <fieldset class="progress-period">
            <legend>{t('progress.period')}</legend>
            {(['days', 'weeks'] as const).map((choice) => (
              <label key={choice}>
                <input
                  type="radio"
                  name="progress-period"
                  value={choice}
                  checked={period === choice}
                  onChange={() => setPeriod(choice)}
                />
                {t(`progress.${choice}`)}
              </label>
            ))}
          </fieldset>
          {charts.map((spec) => (
            <ProgressChart key={`${period}-${spec.id}`} spec={spec} />
          ))}
        </>
      )}
    </section>
  );
}
