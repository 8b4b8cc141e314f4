import type { AttemptComparison, WordVerdict } from '@/features/corrections/word-diff';
import { t } from '@/core/i18n';
import type { PronunciationJudgement } from '@/core/pronunciation';

/**
 * "Say it again": one button that starts and stops a recording of the corrected sentence, and the
 * word-by-word result of the attempt. Used by the correction card and the notebook.
 */

export type DrillState =
  | { status: 'idle' }
  | { status: 'recording' }
  | { status: 'transcribing' }
  | {
      status: 'done';
      said: string;
      comparison?: AttemptComparison;
      pronunciation?: PronunciationJudgement;
    }
  | { status: 'failed'; message: string };

function Word({ verdict }: { verdict: WordVerdict }) {
  switch (verdict.status) {
    case 'right':
      return (
        <li class="word word-right">
          {verdict.expected}{' '}
          <span class="word-mark" aria-hidden="true">
            ✓
          </span>
          <span class="visually-hidden">{t('correction.wordRight')}</span>
        </li>
      );
    case 'wrong':
      return (
        <li class="word word-wrong">
          {verdict.expected} <span class="word-note">{t('correction.wordSaid', { said: verdict.said })}</span>
        </li>
      );
    case 'missed':
      return (
        <li class="word word-missed">
          {verdict.expected} <span class="word-note">{t('correction.wordMissed')}</span>
        </li>
      );
    case 'extra':
      return (
        <li class="word word-extra">
          <span class="word-note">{t('correction.wordExtra')}</span> {verdict.said}
        </li>
      );
  }
}

export function AttemptResult({
  comparison,
  said,
}: {
  comparison?: AttemptComparison;
  said: string;
  pronunciation?: PronunciationJudgement;
  onPlayWord?: (wordIndex: number) => void;
}) {
  if (!comparison) return null;
  return (
    <div class="attempt">
      <p role="status" class={comparison.allRight ? 'attempt-success' : 'attempt-summary'}>
        {comparison.allRight
          ? t('correction.allRight')
          : t('correction.someRight', { right: comparison.right, total: comparison.total })}
      </p>
      <ol class="attempt-words" aria-label={t('correction.yourWords')}>
        {comparison.words.map((verdict, index) => (
          <Word key={index} verdict={verdict} />
        ))}
      </ol>
      {!comparison.allRight && <p class="attempt-said">{t('correction.weHeard', { said: said || '…' })}</p>}
    </div>
  );
}

export interface SayItAgainProps {
  /** The sentence to say, shown so the learner can read it while speaking. */
  target: string;
  drill: DrillState;
  /** Starts the recording, or stops it while recording (like the talk button). */
  onPress(): void;
  disabled?: boolean;
}

export function SayItAgain({ target, drill, onPress, disabled = false }: SayItAgainProps) {
  const recording = drill.status === 'recording';
  return (
    <div class="say-again">
      <button
        type="button"
        class={recording ? 'say-again-button recording' : 'say-again-button'}
        aria-pressed={recording}
        disabled={disabled || drill.status === 'transcribing'}
        onClick={onPress}
      >
        {recording
          ? t('correction.stop')
          : drill.status === 'transcribing'
            ? t('correction.checkingAttempt')
            : t('correction.sayAgain')}
      </button>
      {recording && (
        <p class="say-again-target" role="status">
          {t('correction.sayTarget', { target })}
        </p>
      )}
      {drill.status === 'failed' && (
        <p class="say-again-error" role="alert">
          {drill.message}
        </p>
      )}
      {drill.status === 'done' && <AttemptResult comparison={drill.comparison} said={drill.said} />}
    </div>
  );
}
