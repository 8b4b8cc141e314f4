import { computed, effect, signal, untracked } from '@preact/signals';
import type { CorrectionCardState } from '@/features/corrections/CorrectionCard';
import {
  checkLearnerSentence,
  judgeRepetition,
  type SentenceCheckResult,
} from '@/features/corrections/corrections-lane';
import { now } from '@/core/messages';
import { entriesOfMessage, getChecks, markMisheard } from '@/features/corrections/notebook';
import { errorText } from '../../panel/banner';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import type { PracticeTarget } from '../talk/turn-machine';
import type { PracticeResult } from '../talk/turn-runner';
import { t } from '@/core/i18n';

/**
 * The corrections lane as the panel shows it: one card per learner sentence (checking, could not
 * check with Retry, or its corrections), kept by message id while the history keeps its message
 * (features/conversations/history.ts keeps only the recent part of a long conversation), and loaded
 * again when the message is shown again. The checks themselves are stored by
 * features/corrections/notebook.ts, which also fills the notebook.
 */

export type CorrectionsStore = ReturnType<typeof createCorrections>;

/** What a "Say it again" practises: all of a sentence's corrections (from its card), or one notebook entry. */
const CARD = 'card:';
const ENTRY = 'entry:';

export const cardTarget = (messageId: string, text: string): PracticeTarget => ({
  id: `${CARD}${messageId}`,
  text,
  kind: 'say-again',
});
export const entryTarget = (entryId: string, text: string): PracticeTarget => ({
  id: `${ENTRY}${entryId}`,
  text,
  kind: 'say-again',
});

/** The notebook entries whose review a practice attempt updates (none for a page read aloud). */
async function entryIdsOf(target: PracticeTarget): Promise<string[]> {
  if (target.id.startsWith(CARD))
    return (await entriesOfMessage(target.id.slice(CARD.length))).map((entry) => entry.id);
  if (target.id.startsWith(ENTRY)) return [target.id.slice(ENTRY.length)];
  return [];
}

export function createCorrections({
  history,
  settings,
  onChanged,
}: {
  history: HistoryStore;
  settings: SettingsSync;
  /** The notebook changed (a check kept, a correction dismissed, a review updated). */
  onChanged(): void;
}) {
  const cards = signal<Record<string, CorrectionCardState>>({});
  /** Kept learner sentences whose stored check was already looked for (most have none yet). */
  const looked = new Set<string>();
  const running = new Map<string, AbortController>();
  /** Checks under way, to wait for when they are cancelled. */
  const inFlight = new Set<Promise<void>>();

  function setCard(messageId: string, state: CorrectionCardState | null): void {
    // A sentence released meanwhile gets its card back from what was stored when it is shown again.
    if (state && !history.find(messageId)) return;
    const next = { ...cards.value };
    if (state) next[messageId] = state;
    else delete next[messageId];
    cards.value = next;
  }

  /** The teacher's line the learner was answering: context for the check. */
  function previousTeacherLine(messageId: string): string | undefined {
    const list = history.messages.value;
    const index = list.findIndex((m) => m.id === messageId);
    return list
      .slice(0, Math.max(index, 0))
      .reverse()
      .find((m) => m.role === 'assistant' && m.text && (m.status === 'done' || m.status === 'interrupted'))?.text;
  }

  async function check(messageId: string): Promise<void> {
    const message = history.find(messageId);
    if (!message || message.role !== 'user' || message.status !== 'done' || !message.text) return;
    running.get(messageId)?.abort();
    const abort = new AbortController();
    running.set(messageId, abort);
    setCard(messageId, { status: 'checking' });
    // Only shown for now: the reply's first words must not wait behind a database write.
    history.patch(messageId, { timings: { checkStartedAt: now() } }, false).catch(() => undefined);
    let result: SentenceCheckResult;
    try {
      result = await checkLearnerSentence(
        settings.endpoints.value.chat,
        {
          sentence: message.text,
          previousTeacherLine: previousTeacherLine(messageId),
          explanationLanguage: settings.settings.value.explanationLanguage,
        },
        { messageId, conversationId: message.conversationId },
        { signal: abort.signal },
      );
    } catch (error) {
      // It promises not to throw; should it anyway, the card still ends with Retry, not "Checking…".
      result = {
        status: 'failed',
        message: t('correction.failedUnexpected', { detail: errorText(error) }),
        canRetry: true,
      };
    }
    if (running.get(messageId) !== abort) return; // a newer check of the same sentence replaced it
    running.delete(messageId);
    switch (result.status) {
      case 'cancelled':
        setCard(messageId, null);
        return;
      case 'failed':
        setCard(messageId, { status: 'failed', message: result.message, canRetry: result.canRetry });
        return;
      case 'done':
        setCard(messageId, { status: 'done', check: result.check });
        // When the card could be seen, for the bench's corrections lane (npm run bench).
        await history.patch(messageId, { timings: { checkedAt: now() } }).catch(() => undefined);
        onChanged();
    }
  }

  /**
   * The cards of the sentences the history keeps, from their stored checks; a released sentence's
   * card goes with it. A check still on its way, or failed in this session, keeps its card: it is
   * small, and its Retry could not be rebuilt from what is stored.
   */
  async function load(conversationId: string): Promise<void> {
    const kept = new Set(history.messages.value.map((m) => m.id));
    for (const id of looked) if (!kept.has(id)) looked.delete(id);
    const released = Object.entries(cards.value).filter(([id, state]) => state.status === 'done' && !kept.has(id));
    if (released.length > 0) {
      const next = { ...cards.value };
      for (const [id] of released) delete next[id];
      cards.value = next;
    }
    const wanted = history.messages.value
      .filter((m) => m.role === 'user' && !looked.has(m.id) && !(m.id in cards.value))
      .map((m) => m.id);
    if (wanted.length === 0) return;
    for (const id of wanted) looked.add(id);
    const checks = await getChecks(wanted);
    if (history.conversation.value?.id !== conversationId || checks.length === 0) return;
    const next = { ...cards.value };
    for (const stored of checks) {
      if (history.find(stored.messageId)) next[stored.messageId] ??= { status: 'done', check: stored };
    }
    cards.value = next;
  }

  /** Changes when messages are kept or released, not with every token of a reply. */
  const keptPart = computed(() => {
    const list = history.messages.value;
    return `${history.conversation.value?.id ?? ''}|${list[0]?.id ?? ''}|${list.length}`;
  });

  const stopLoading = effect(() => {
    const [id] = keptPart.value.split('|');
    // Only keptPart decides when to load: what load reads must not rerun it with every token.
    if (id)
      untracked(() => load(id)).catch((error: unknown) =>
        console.warn('AITalk: could not load the corrections', error),
      );
  });

  return {
    cards,
    check(messageId: string): Promise<void> {
      const checking = check(messageId);
      inFlight.add(checking);
      const done = () => void inFlight.delete(checking);
      checking.then(done, done);
      return checking;
    },
    /**
     * The conversation is left or deleted: every check still out is aborted (its card goes, and
     * nothing is kept of it); resolves once none of them can write any more.
     */
    async cancel(): Promise<void> {
      for (const abort of running.values()) abort.abort();
      await Promise.allSettled([...inFlight]);
    },
    /** "I didn't say that": the correction is dismissed and stays out of the notebook. */
    async misheard(messageId: string, index: number): Promise<void> {
      const updated = await markMisheard(messageId, index);
      if (updated) setCard(messageId, { status: 'done', check: updated });
      onChanged();
    },
    /** A "Say it again" was judged: the reviews of what it practised are updated. */
    async onAttempt(result: PracticeResult): Promise<void> {
      const ids = await entryIdsOf(result.target);
      if (ids.length === 0 || !result.comparison) return;
      try {
        await judgeRepetition(result.target.text, result.said, ids, result.at);
      } catch (error) {
        // The result is shown either way; only the review date could not be kept.
        console.warn('AITalk: could not update the review', errorText(error));
      }
      onChanged();
    },
    dispose(): void {
      stopLoading();
      for (const abort of running.values()) abort.abort();
      running.clear();
    },
  };
}
