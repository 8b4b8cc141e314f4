import type { Correction } from '@/features/corrections/correction-schema';
import { t } from '@/core/i18n';
import type { StoredCheck } from '@/core/db/schema';
import { correctedSentenceOf } from '@/features/corrections/notebook';
import { sentenceDiff } from '@/features/corrections/word-diff';
import { SayItAgain, type DrillState } from './SayItAgain';

/** The corrections lane under a learner's bubble: checking, could not check (Retry), or the result. */
export type CorrectionCardState =
  | { status: 'checking' }
  | { status: 'failed'; message: string; canRetry: boolean }
  | { status: 'done'; check: Pick<StoredCheck, 'sentence' | 'corrections' | 'natural' | 'dismissed' | 'misheard'> };

export interface CorrectionCardProps {
  state: CorrectionCardState;
  drill?: DrillState;
  onRetry(): void;
  /** "I didn't say that" on the correction at this index of `check.corrections`. */
  onMisheard(index: number): void;
  /** Start (or stop) saying the corrected sentence again. */
  onSayAgain(target: string): void;
  /** While a turn or another drill is using the microphone. */
  sayAgainDisabled?: boolean;
  /** A word of the judged attempt was pressed (store.playAttemptWord). */
  onPlayWord?: (wordIndex: number) => void;
}

/** Removed words struck through, new words marked; the words say it too, not only the style. */
export function SentenceDiff({ before, after }: { before: string; after: string }) {
  return (
    <p class="sentence-diff">
      {sentenceDiff(before, after).map((part, index) =>
        part.change === 'removed' ? (
          <del key={index}>
            <span class="visually-hidden">{t('correction.removed')}</span>
            {part.text}
          </del>
        ) : part.change === 'added' ? (
          <ins key={index}>
            <span class="visually-hidden">{t('correction.added')}</span>
            {part.text}
          </ins>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </p>
  );
}

const sameWords = (a: string, b: string) => {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s']/gu, '')
      .replace(/\s+/g, ' ')
      .trim();
  return norm(a) === norm(b);
};

function CorrectionItem({ correction, onMisheard }: { correction: Correction; onMisheard(): void }) {
  return (
    <li class="correction">
      <p class="correction-change">
        <del>{correction.original}</del>
        <span aria-hidden="true"> → </span>
        <span class="visually-hidden">{t('correction.becomes')}</span>
        {correction.corrected ? <ins>{correction.corrected}</ins> : <em>{t('correction.leaveOut')}</em>}
        <span class="correction-kind"> · {t(`correction.kind.${correction.kind}`)}</span>
      </p>
      <p class="correction-explanation">{correction.explanation}</p>
      <button
        type="button"
        class="quiet misheard-button"
        aria-label={t('correction.misheardLabel', { original: correction.original })}
        onClick={onMisheard}
      >
        {t('correction.misheard')}
      </button>
    </li>
  );
}

export function CorrectionCard({
  state,
  drill = { status: 'idle' },
  onRetry,
  onMisheard,
  onSayAgain,
  sayAgainDisabled,
  onPlayWord,
}: CorrectionCardProps) {
  if (state.status === 'checking') {
    return (
      <section class="correction-card correction-checking" aria-label={t('correction.label')} aria-busy="true">
        <p role="status">{t('correction.checking')}</p>
      </section>
    );
  }
  if (state.status === 'failed') {
    return (
      <section class="correction-card correction-failed" aria-label={t('correction.label')}>
        <p role="alert">{t('correction.couldNotCheck', { detail: state.message })}</p>
        {state.canRetry && (
          <button type="button" onClick={onRetry}>
            {t('correction.retry')}
          </button>
        )}
      </section>
    );
  }
  const { check } = state;
  const shown = check.corrections
    .map((correction, index) => ({ correction, index }))
    .filter(({ index }) => !check.dismissed.includes(index));
  const corrected = correctedSentenceOf(check);
  const natural = check.natural.trim();
  return (
    <section class="correction-card" aria-label={t('correction.label')}>
      {shown.length > 0 ? (
        <>
          <SentenceDiff before={check.sentence} after={corrected} />
          <ul class="corrections">
            {shown.map(({ correction, index }) => (
              <CorrectionItem key={index} correction={correction} onMisheard={() => onMisheard(index)} />
            ))}
          </ul>
        </>
      ) : (
        !check.misheard && <p class="correction-none">{t('correction.none')}</p>
      )}
      {check.misheard && <p class="correction-note">{t('correction.misheardNote')}</p>}
      {natural && !sameWords(natural, corrected) && (
        <p class="correction-natural">
          <span class="label">{t('correction.natural')}</span>
          {natural}
        </p>
      )}
      {shown.length > 0 && (
        <SayItAgain
          target={corrected}
          drill={drill}
          onPress={() => onSayAgain(corrected)}
          disabled={sayAgainDisabled}
          onPlayWord={onPlayWord}
        />
      )}
    </section>
  );
}
