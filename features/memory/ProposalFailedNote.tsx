import { t } from '@/core/i18n';
import './memory.css';

export interface ProposalFailedNoteProps {
  /** What went wrong, as the chat server's client put it. */
  problem: string;
  onRetry(): void;
  onClose(): void;
}

/**
 * Where "Remember this for next time?" would have been when its request failed: a quiet note, not an error in the
 * banner, since nothing the learner had is lost and the next conversation starts as usual.
 */
export function ProposalFailedNote({ problem, onRetry, onClose }: ProposalFailedNoteProps) {
  return (
    <section
      class="memory-proposal memory-proposal-failed"
      aria-labelledby="memory-proposal-failed-heading"
      onKeyDown={(event) => {
        // As on the card it stands in for: Escape is Not now.
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onClose();
      }}
    >
      <div class="memory-header">
        <h2 id="memory-proposal-failed-heading">{t('memory.proposalHeading')}</h2>
        <button type="button" class="quiet" onClick={onClose}>
          {t('memory.notNow')}
        </button>
      </div>
      <div role="status">
        <p>{t('memory.proposalFailed')}</p>
        <p class="help">{t('memory.proposalFailedDetail', { detail: problem })}</p>
      </div>
      <div class="memory-actions">
        <button type="button" onClick={onRetry}>
          {t('memory.proposalRetry')}
        </button>
      </div>
    </section>
  );
}
