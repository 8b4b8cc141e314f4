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
  return (
    <section ref={card} class="memory-proposal" aria-labelledby="memory-proposal-heading">
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
