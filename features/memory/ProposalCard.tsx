import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/core/i18n';
import { FactFields, type FactDraft } from './FactEditor';
import type { Proposal, ProposedFact } from './memory-store';
import './memory.css';

export interface ProposalCardProps {
  proposal: Proposal;
  onKeep(key: string, fact: FactDraft): void;
  onDiscard(key: string): void;
  onClose(): void;
}

function ProposedRow({
  fact,
  onKeep,
  onDiscard,
}: { fact: ProposedFact } & Omit<ProposalCardProps, 'proposal' | 'onClose'>) {
  const [draft, setDraft] = useState<FactDraft>({ kind: fact.kind, text: fact.text });
  const label = draft.text.trim() || fact.text;
  return (
    <li class="memory-fact">
      <FactFields id={`proposed-${fact.key}`} draft={draft} onChange={setDraft} />
      <div class="memory-actions">
        <button
          type="button"
          aria-label={t('memory.keepLabel', { text: label })}
          disabled={!draft.text.trim()}
          onClick={() => onKeep(fact.key, draft)}
        >
          {t('memory.keep')}
        </button>
        <button
          type="button"
          class="quiet"
          aria-label={t('memory.discardLabel', { text: label })}
          onClick={() => onDiscard(fact.key)}
        >
          {t('memory.delete')}
        </button>
      </div>
    </li>
  );
}

/** The end of a conversation: what the teacher could remember, each kept, edited or deleted by the learner. */
export function ProposalCard({ proposal, onKeep, onDiscard, onClose }: ProposalCardProps) {
  const card = useRef<HTMLElement>(null);
  const shown = useRef(proposal.facts.length);
  // A kept or deleted fact leaves the card with the button that was pressed: the focus moves to
  // the next fact rather than to the top of the page.
  useEffect(() => {
    if (proposal.facts.length < shown.current) card.current?.querySelector<HTMLElement>('.memory-fact select')?.focus();
    shown.current = proposal.facts.length;
  }, [proposal.facts.length]);
  // When the card goes (Not now, Escape, the last fact kept or deleted) with the focus in it, the
  // focus goes back where it was when the card came, or to the Talk button if that is gone or disabled.
  useEffect(() => {
    const before = document.activeElement;
    const element = card.current;
    return () => {
      const focused = document.activeElement;
      if (focused && focused !== document.body && !element?.contains(focused)) return;
      const back =
        before instanceof HTMLElement &&
        before.isConnected &&
        !before.matches(':disabled') &&
        !element?.contains(before)
          ? before
          : document.querySelector<HTMLElement>('.talk-button');
      // After the card has left the page: focusing earlier would be undone when its button goes.
      setTimeout(() => back?.focus(), 0);
    };
  }, []);
  return (
    <section
      ref={card}
      class="memory-proposal"
      aria-labelledby="memory-proposal-heading"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onClose();
      }}
    >
      <div class="memory-header">
        <h2 id="memory-proposal-heading">{t('memory.proposalHeading')}</h2>
        <button type="button" class="quiet" onClick={onClose}>
          {t('memory.notNow')}
        </button>
      </div>
      <p class="help">{t('memory.proposalIntro')}</p>
      <ul class="memory-facts">
        {proposal.facts.map((fact) => (
          <ProposedRow key={fact.key} fact={fact} onKeep={onKeep} onDiscard={onDiscard} />
        ))}
      </ul>
    </section>
  );
}
