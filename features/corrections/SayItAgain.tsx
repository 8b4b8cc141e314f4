import type { AttemptComparison, WordVerdict } from '@/features/corrections/word-diff';
import { t } from '@/core/i18n';
import type { PronunciationJudgement } from '@/core/pronunciation';
import { PronunciationView } from '../pronunciation/PronunciationView';

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

function comparisonSummary(comparison: AttemptComparison): string {
  return comparison.allRight
    ? t('correction.allRight')
    : t('correction.someRight', { right: comparison.right, total: comparison.total });
}

/** The words the transcription heard, against the text; shown when they differ, or alone without a judgement. */
function ComparedWords({ comparison, said }: { comparison: AttemptComparison; said: string }) {
  return (
    <>
      <ol class="attempt-words" aria-label={t('correction.yourWords')}>
        {comparison.words.map((verdict, index) => (
          <Word key={index} verdict={verdict} />
        ))}
      </ol>
      {!comparison.allRight && <p class="attempt-said">{t('correction.weHeard', { said: said || '…' })}</p>}
    </>
  );
}

export interface AttemptResultProps {
  comparison?: AttemptComparison;
  said: string;
  /** How it was said (features/pronunciation/PronunciationView.tsx); absent when it could not be judged. */
  pronunciation?: PronunciationJudgement;
  onPlayWord?: (wordIndex: number) => void;
}

/**
 * An attempt's result. With both a transcription and a pronunciation judgement it reads as one result: one
 * status line (words right, then the score), the words as said, what was heard when it differs, then the sounds.
 */
export function AttemptResult({ comparison, said, pronunciation, onPlayWord }: AttemptResultProps) {
  if (pronunciation) {
    return (
      <div class="attempt">
        <PronunciationView
          judgement={pronunciation}
          onPlayWord={onPlayWord}
          summary={comparison ? comparisonSummary(comparison) : undefined}
        >
          {comparison && !comparison.allRight && <ComparedWords comparison={comparison} said={said} />}
        </PronunciationView>
      </div>
    );
  }
  if (!comparison) return null;
  return (
    <div class="attempt">
      <p role="status" class={comparison.allRight ? 'attempt-success' : 'attempt-summary'}>
        {comparisonSummary(comparison)}
      </p>
      <ComparedWords comparison={comparison} said={said} />
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
  /** A word of the judged attempt was pressed: play it back (store.playAttemptWord). */
  onPlayWord?: (wordIndex: number) => void;
}

export function SayItAgain({ target, drill, onPress, disabled = false, onPlayWord }: SayItAgainProps) {
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
      {drill.status === 'done' && (
        <AttemptResult
          comparison={drill.comparison}
          said={drill.said}
          pronunciation={drill.pronunciation}
          onPlayWord={onPlayWord}
        />
      )}
    </div>
  );
}
