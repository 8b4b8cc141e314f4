import type { FluencyFigures } from '@/utils/fluency';
import type { SessionSummary } from '@/utils/session-summary';
import { SentenceDiff } from './CorrectionCard';

export interface SessionCardProps {
  summary: SessionSummary;
  /** Say a phrase or a corrected sentence again (optional: the card works without drills). */
  onSayAgain?(target: string): void;
  onClose?(): void;
}

function Fluency({ fluency }: { fluency: FluencyFigures }) {
  return (
    <section class="session-fluency" aria-labelledby="session-fluency-heading">
      <h3 id="session-fluency-heading">Fluency</h3>
      <dl>
        <div>
          <dt>Words per minute</dt>
          <dd>{fluency.wordsPerMinute}</dd>
        </div>
        <div>
          <dt>Pauses over 1 s</dt>
          <dd>{fluency.pausesOverOneSecond ?? 'not measured'}</dd>
        </div>
        <div>
          <dt>Longest pause</dt>
          <dd>{fluency.longestPauseSeconds === null ? 'not measured' : `${fluency.longestPauseSeconds} s`}</dd>
        </div>
      </dl>
      <p class="help">
        {fluency.source === 'word-timestamps'
          ? `From the timing of each word: ${fluency.words} words in ${fluency.speakingSeconds} s of speaking.`
          : `From the length of your recordings (${fluency.words} words in ${fluency.speakingSeconds} s, silences included): your server gave no word timings, so pauses are not measured.`}
      </p>
    </section>
  );
}

/** The end of a conversation: its corrections, the phrases worth keeping, and fluency figures. */
export function SessionCard({ summary, onSayAgain, onClose }: SessionCardProps) {
  return (
    <section class="session-card" aria-labelledby="session-heading">
      <div class="session-header">
        <h2 id="session-heading">This session</h2>
        {onClose && (
          <button type="button" class="quiet" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      <section aria-labelledby="session-corrections-heading">
        <h3 id="session-corrections-heading">Corrections</h3>
        {summary.corrections.length === 0 ? (
          <p class="empty">No corrections this time.</p>
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
          <h3 id="session-phrases-heading">Phrases worth keeping</h3>
          <ul class="session-phrases">
            {summary.phrases.map((phrase) => (
              <li key={phrase}>
                <span>{phrase}</span>
                {onSayAgain && (
                  <button type="button" class="quiet" aria-label={`Say “${phrase}” again`} onClick={() => onSayAgain(phrase)}>
                    Say it again
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {summary.fluency ? <Fluency fluency={summary.fluency} /> : <p class="empty">Not enough speech for fluency figures.</p>}
    </section>
  );
}
