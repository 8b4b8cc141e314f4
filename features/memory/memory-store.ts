import { computed, signal } from '@preact/signals';
import type { ProfileFact, ProfileFactKind } from '@/core/db/schema';
import { listMessages } from '@/core/db/conversations';
import type { SettingsSync } from '../settings/settings-sync';
import type { TeacherMemory } from '../talk/teacher-prompt';
import { proposeFacts, type FactsOptions } from './fact-proposal';
import {
  addFacts,
  deleteFact,
  forgetEverything,
  forgottenAtItem,
  listChecksSince,
  listFacts,
  updateFact,
  type NewFact,
} from './profile';
import { recurringMistakes, type RecurringMistake } from './recurring';
import { teacherMemory } from './teacher-memory';

/**
 * "A teacher who remembers you", as the panel holds it: the profile (kept facts, recurring
 * mistakes, the sounds worked on), the facts proposed at the end of a conversation until the
 * learner keeps or deletes each, and what the teacher is told (read synchronously when a request
 * is built, so remembering never delays a reply).
 */

/**
 * The sounds the learner works on, for the summary, from pronunciation practice since `since` (a
 * "Forget everything"); none where the panel gives no source (tests).
 */
export type SoundsWorkedOn = (since: number) => Promise<string[]>;
export const noSoundsYet: SoundsWorkedOn = async () => [];

/** A proposed fact on the card, as the learner may have edited it. */
export interface ProposedFact extends NewFact {
  key: string;
}

export interface Proposal {
  conversationId: string;
  facts: ProposedFact[];
}

/** The facts of a conversation's end could not be asked for: the learner can try again, or let it go. */
export interface ProposalFailure {
  conversationId: string;
  /** What went wrong, as the chat server's client put it. */
  problem: string;
}

export interface MemoryDeps {
  settings: SettingsSync;
  sounds?: SoundsWorkedOn;
  /** Tests send the proposal to the stand-in with their own structured-support memory. */
  proposalOptions?: FactsOptions;
}

export type MemoryStore = ReturnType<typeof createMemory>;

export function createMemory({ settings, sounds = noSoundsYet, proposalOptions = {} }: MemoryDeps) {
  const facts = signal<ProfileFact[]>([]);
  const recurring = signal<RecurringMistake[]>([]);
  const soundsWorkedOn = signal<string[]>([]);
  const proposal = signal<Proposal | null>(null);
  const proposalFailed = signal<ProposalFailure | null>(null);
  const enabled = computed(() => settings.settings.value.memory);
  /** What each conversation was last asked about (its learner messages), so Summary then New conversation asks once. */
  const proposedFor = new Map<string, number>();
  let proposing: AbortController | null = null;

  async function refresh(): Promise<void> {
    const since = await forgottenAtItem.getValue();
    const [kept, checks, worked] = await Promise.all([
      listFacts(),
      listChecksSince(since),
      sounds(since).catch(() => [] as string[]),
    ]);
    facts.value = kept;
    recurring.value = recurringMistakes(checks);
    soundsWorkedOn.value = worked;
  }

  /** What the teacher is told now; null when memory is off (then nothing of it is sent). */
  function forTeacher(): TeacherMemory | null {
    if (!enabled.value) return null;
    return teacherMemory({
      facts: facts.value,
      recurring: recurring.value,
      sounds: soundsWorkedOn.value,
      level: settings.settings.value.level,
    });
  }

  /**
   * The end of a conversation: asks for facts from the learner's own messages and shows them on
   * the card. Nothing is kept here. A failure is shown as a quiet note with Try again (proposalFailed), not as an
   * error: nothing the learner had is lost, but a chat server that cannot answer this request would otherwise end
   * every conversation without the card, and the learner would never know why.
   */
  async function propose(conversationId: string): Promise<void> {
    if (!enabled.value) return;
    const said = (await listMessages(conversationId))
      .filter((message) => message.role === 'user' && message.status === 'done' && message.text.trim())
      .map((message) => message.text);
    if (said.length === 0 || proposedFor.get(conversationId) === said.length) return;
    proposedFor.set(conversationId, said.length);
    proposing?.abort();
    proposalFailed.value = null;
    const abort = (proposing = new AbortController());
    const outcome = await proposeFacts(
      settings.endpoints.value.chat,
      { learnerMessages: said, known: facts.value.map((fact) => fact.text) },
      { ...proposalOptions, signal: abort.signal },
    );
    if (proposing === abort) proposing = null;
    if (abort.signal.aborted || !enabled.value) return;
    if (!outcome.ok) {
      console.warn('AITalk: no facts proposed this time', outcome.problem);
      proposalFailed.value = { conversationId, problem: outcome.problem };
      return;
    }
    if (outcome.facts.length === 0) return;
    proposal.value = {
      conversationId,
      facts: outcome.facts.map((fact, index) => ({ ...fact, key: `${conversationId}-${said.length}-${index}` })),
    };
  }

  function withoutProposed(key: string): void {
    const current = proposal.value;
    if (!current) return;
    const rest = current.facts.filter((fact) => fact.key !== key);
    proposal.value = rest.length > 0 ? { ...current, facts: rest } : null;
  }

  return {
    facts,
    recurring,
    sounds: soundsWorkedOn,
    proposal,
    proposalFailed,
    enabled,
    refresh,
    forTeacher,
    propose,
    /** The failure note's Try again: asks once more for the facts of the conversation that failed. */
    async retryProposal(): Promise<void> {
      const failed = proposalFailed.value;
      if (!failed) return;
      proposedFor.delete(failed.conversationId);
      await propose(failed.conversationId);
    },
    /** Keeps one proposed fact, as the learner left it on the card. */
    async keep(key: string, change: { kind: ProfileFactKind; text: string }): Promise<void> {
      const current = proposal.value;
      if (!current?.facts.some((fact) => fact.key === key)) return;
      await addFacts([change], current.conversationId);
      withoutProposed(key);
      await refresh();
    },
    /** Deletes a proposed fact from the card: it is never kept. */
    discard(key: string): void {
      withoutProposed(key);
    },
    closeProposal(): void {
      proposing?.abort();
      proposal.value = null;
      proposalFailed.value = null;
    },
    async edit(id: string, change: Partial<NewFact>): Promise<void> {
      await updateFact(id, change);
      await refresh();
    },
    async remove(id: string): Promise<void> {
      await deleteFact(id);
      await refresh();
    },
    async forgetAll(): Promise<void> {
      proposing?.abort();
      proposal.value = null;
      proposalFailed.value = null;
      await forgetEverything();
      await refresh();
    },
    dispose(): void {
      proposing?.abort();
    },
  };
}
