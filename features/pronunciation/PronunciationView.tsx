import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { currentLocale, t } from '@/core/i18n';
import type { PronunciationJudgement, WordJudgement, WordVerdict } from '@/core/pronunciation';
import type { ExplanationLanguage } from '../corrections/correction-schema';
import { StoreContext } from '../../panel/store-context';
import { adviceFor } from './hints';

/**
 * How an attempt sounded, as the pronunciation judge found it (core/pronunciation.ts): a score out of 100, the
 * attempt's words each marked by its verdict, and at most three sounds to work on with a hint. Every verdict is
 * said by a mark and words as well as a colour; a word the judge heard is a button that plays it back.
 */

export interface PronunciationViewProps {
  judgement: PronunciationJudgement;
  /** Plays the learner's own slice of the recording for this word, then the teacher saying it. */
  onPlayWord?: (wordIndex: number) => void;
  /** The hints' language; by default Settings › Explanations in, as the correction card's explanations. */
  language?: ExplanationLanguage;
  /** Said before the score in the same line: the word comparison's summary, when both show as one result. */
  summary?: string;
  /** Shown between the words and the sounds to work on (the word comparison, in AttemptResult). */
  children?: ComponentChildren;
}

/** The sounds to work on the view shows, whatever the judge sends. */
export const MAX_SOUNDS_SHOWN = 3;

const MARKS: Record<WordVerdict, string> = { good: '✓', unclear: '~', missed: '✗', unknown: '' };

function verdictLabel(verdict: WordVerdict): string {
  switch (verdict) {
    case 'good':
      return t('pronunciation.good');
    case 'unclear':
      return t('pronunciation.unclear');
    case 'missed':
      return t('pronunciation.missed');
    case 'unknown':
      return t('pronunciation.unknown');
  }
}

function WordMark({ word }: { word: WordJudgement }) {
  const mark = MARKS[word.verdict];
  return (
    <>
      <span class="pron-text">{word.text}</span>
      {mark && (
        <span class="pron-mark" aria-hidden="true">
          {mark}
        </span>
      )}
      {/* "said well" is the usual case: its ✓ is enough on screen, and screen readers get the words. */}
      <span class={word.verdict === 'good' ? 'visually-hidden' : 'pron-label'}>
        {word.verdict === 'good' ? verdictLabel(word.verdict) : `(${verdictLabel(word.verdict)})`}
      </span>
    </>
  );
}

function Word({ word, index, onPlay }: { word: WordJudgement; index: number; onPlay?: (wordIndex: number) => void }) {
  const className = `pron-word pron-${word.verdict}`;
  if (!onPlay || word.verdict === 'unknown') {
    return (
      <li class={className}>
        <WordMark word={word} />
      </li>
    );
  }
  const label =
    word.verdict === 'missed'
      ? t('pronunciation.playMissedWord', { word: word.text })
      : t('pronunciation.playWord', { word: word.text, verdict: verdictLabel(word.verdict) });
  return (
    <li class={className}>
      <button type="button" class="pron-word-button" aria-label={label} onClick={() => onPlay(index)}>
        <WordMark word={word} />
      </button>
    </li>
  );
}

export function PronunciationView({ judgement, onPlayWord, language, summary, children }: PronunciationViewProps) {
  const store = useContext(StoreContext);
  if (judgement.kind === 'refused') {
    return (
      <>
        {summary && <p role="status">{summary}</p>}
        <p class="pronunciation-refused" role="alert">
          {t(judgement.messageKey)}
        </p>
        {children}
      </>
    );
  }
  const explanation: ExplanationLanguage =
    language ?? store?.settings.value.explanationLanguage ?? (currentLocale() === 'zh_CN' ? 'zh-CN' : 'en');
  const sounds = judgement.soundsToWorkOn.slice(0, MAX_SOUNDS_SHOWN);
  const playable = onPlayWord !== undefined && judgement.words.some((w) => w.verdict !== 'unknown');
  return (
    <section class="pronunciation" aria-label={t('pronunciation.label')}>
      <p class="pronunciation-score" role="status">
        {summary && <span class="pronunciation-summary">{summary} </span>}
        <strong>{t('pronunciation.score', { score: Math.round(judgement.score) })}</strong>
      </p>
      <ol class="pronunciation-words" aria-label={t('pronunciation.words')}>
        {judgement.words.map((word, index) => (
          <Word key={index} word={word} index={index} onPlay={onPlayWord} />
        ))}
      </ol>
      {playable && <p class="pronunciation-help">{t('pronunciation.playHelp')}</p>}
      {children}
      {sounds.length > 0 && (
        <div class="pronunciation-sounds">
          <h3>{t('pronunciation.soundsTitle')}</h3>
          <ul lang={explanation}>
            {sounds.map((sound) => {
              const advice = adviceFor(sound, explanation);
              return (
                <li key={`${sound.sound}:${sound.word}`} class="pronunciation-sound">
                  <strong class="pronunciation-sound-ipa">{advice.heading}</strong> {advice.heard}{' '}
                  <span class="pronunciation-hint">{advice.hint}</span>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}
