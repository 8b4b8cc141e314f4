import type { FluencyFigures, PronunciationFigures } from '@/features/corrections/fluency';
import { t } from '@/core/i18n';
import type { SessionSummary } from '@/features/corrections/session-summary';
import { SentenceDiff } from './CorrectionCard';

export interface SessionCardProps {
  summary: SessionSummary;
  /** Say a phrase or a corrected sentence again (optional: the card works without drills). */
  onSayAgain?(target: string): void;
  onClose?(): void;
}

function PronunciationScore({ pronunciation }: { pronunciation: PronunciationFigures }) {
  return (
    <div class="session-pronunciation">
      <dt>{t('sounds.sessionScore')}</dt>
      <dd>
        {t('sounds.sessionScoreValue', { score: pronunciation.score })}{' '}
        <span class="help">{t('sounds.sessionScoreFrom', pronunciation.attempts)}</span>
      </dd>
    </div>
  );
}

function Fluency({ fluency, pronunciation }: { fluency: FluencyFigures; pronunciation?: PronunciationFigures | null }) {
  return (
    <section class="session-fluency" aria-labelledby="session-fluency-heading">
      <h3 id="session-fluency-heading">{t('session.fluency')}</h3>
      <dl>
        <div>
          <dt>{t('session.wordsPerMinute')}</dt>
          <dd>{fluency.wordsPerMinute}</dd>
        </div>
        {pronunciation && <PronunciationScore pronunciation={pronunciation} />}
        <div>
          <dt>{t('session.pausesOverOneSecond')}</dt>
          <dd>{fluency.pausesOverOneSecond ?? t('session.notMeasured')}</dd>
        </div>
        <div>
          <dt>{t('session.longestPause')}</dt>
          <dd>
            {fluency.longestPauseSeconds === null
              ? t('session.notMeasured')
              : t('session.seconds', { seconds: fluency.longestPauseSeconds })}
          </dd>
        </div>
      </dl>
      <p class="help">
        {fluency.source === 'word-timestamps'
          ? t('session.fromWordTimings', { words: fluency.words, seconds: fluency.speakingSeconds })
          : t('session.fromRecordingLength', { words: fluency.words, seconds: fluency.speakingSeconds })}
      </p>
    </section>
  );
}

/** The end of a conversation: its corrections, the phrases worth keeping, and fluency figures. */
export function SessionCard({ summary, onSayAgain, onClose }: SessionCardProps) {
  return (
    <section class="session-card" aria-labelledby="session-heading">
      <div class="session-header">
        <h2 id="session-heading">{t('session.heading')}</h2>
        {onClose && (
          <button type="button" class="quiet" onClick={onClose}>
            {t('session.close')}
          </button>
        )}
      </div>
      <section aria-labelledby="session-corrections-heading">
        <h3 id="session-corrections-heading">{t('session.corrections')}</h3>
        {summary.corrections.length === 0 ? (
          <p class="empty">{t('session.noCorrections')}</p>
        ) : (
          <ul class="session-corrections">
            {summary.corrections.map((item) => (
              <li key={item.messageId}>
                <SentenceDiff before={item.sentence} after={item.correctedSentence} />
                <ul>
                  {item.corrections.map((correction, index) => (
                    <li key={index} class="correction-explanation">
                      {correction.explanation}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </section>
      {summary.phrases.length > 0 && (
        <section aria-labelledby="session-phrases-heading">
          <h3 id="session-phrases-heading">{t('session.phrases')}</h3>
          <ul class="session-phrases">
            {summary.phrases.map((phrase) => (
              <li key={phrase}>
                <span>{phrase}</span>
                {onSayAgain && (
                  <button
                    type="button"
                    class="quiet"
                    aria-label={t('session.sayPhraseAgain', { phrase })}
                    onClick={() => onSayAgain(phrase)}
                  >
                    {t('session.sayAgain')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {summary.fluency ? (
        <Fluency fluency={summary.fluency} pronunciation={summary.pronunciation} />
      ) : (
        <>
          {summary.pronunciation && (
            <section class="session-fluency" aria-labelledby="session-fluency-heading">
              <h3 id="session-fluency-heading">{t('session.fluency')}</h3>
              <dl>
                <PronunciationScore pronunciation={summary.pronunciation} />
              </dl>
            </section>
          )}
          <p class="empty">{t('session.notEnoughSpeech')}</p>
        </>
      )}
    </section>
  );
}
