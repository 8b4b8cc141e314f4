import { useEffect } from 'preact/hooks';
import { useStore } from '../../panel/store-context';
import { MemoryView } from './MemoryView';
import { ProposalCard } from './ProposalCard';
import { ProposalFailedNote } from './ProposalFailedNote';

/** "What your teacher remembers", wired to the store. */
export function MemoryPanel() {
  const store = useStore();
  const memory = store.memory;
  useEffect(() => {
    void memory.refresh();
  }, [memory]);
  return (
    <MemoryView
      enabled={memory.enabled.value}
      facts={memory.facts.value}
      recurring={memory.recurring.value}
      sounds={memory.sounds.value}
      level={store.settings.value.level}
      onEdit={(id, change) => void memory.edit(id, change)}
      onDelete={(id) => void memory.remove(id)}
      onForget={() => void memory.forgetAll()}
    />
  );
}

/** The facts proposed at the end of a conversation, while any is left to keep or delete; or why none could be. */
export function ShownProposal() {
  const memory = useStore().memory;
  const proposal = memory.proposal.value;
  const failed = memory.proposalFailed.value;
  if (!proposal && failed) {
    return (
      <ProposalFailedNote
        problem={failed.problem}
        onRetry={() => void memory.retryProposal()}
        onClose={memory.closeProposal}
      />
    );
  }
  if (!proposal) return null;
  return (
    <ProposalCard
      proposal={proposal}
      onKeep={(key, fact) => void memory.keep(key, fact)}
      onDiscard={memory.discard}
      onClose={memory.closeProposal}
    />
  );
}
