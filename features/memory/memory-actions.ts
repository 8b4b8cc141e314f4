import { t } from '@/core/i18n';
import type { Shown } from '../../panel/shown';
import type { MemoryStore } from './memory-store';

/**
 * What the panel's views may do with what the teacher remembers (MemoryPanel.tsx and the proposal
 * card): the profile's signals, and each action wrapped so that a failure shows in the banner.
 */
export function memoryActions(memory: MemoryStore, shown: Shown) {
  return {
    enabled: memory.enabled,
    facts: memory.facts,
    recurring: memory.recurring,
    sounds: memory.sounds,
    proposal: memory.proposal,
    /** The facts of a conversation's end could not be asked for (a note with Try again). */
    proposalFailed: memory.proposalFailed,
    retryProposal: shown(() => t('memory.actionRetryProposal'), memory.retryProposal),
    refresh: shown(() => t('memory.actionRead'), memory.refresh),
    keep: shown(() => t('memory.actionKeep'), memory.keep),
    discard: memory.discard,
    closeProposal: memory.closeProposal,
    edit: shown(() => t('memory.actionEdit'), memory.edit),
    remove: shown(() => t('memory.actionDelete'), memory.remove),
    forgetAll: shown(() => t('memory.actionForget'), memory.forgetAll),
  };
}

/**
 * Reads the profile again; a failure is only logged, since the teacher still answers without it
 * (the panel calls this at start-up and when a conversation ends).
 */
export function refreshMemoryQuietly(memory: MemoryStore): Promise<void> {
  return memory
    .refresh()
    .catch((error: unknown) => console.warn('AITalk: could not read what the teacher remembers', error));
}
