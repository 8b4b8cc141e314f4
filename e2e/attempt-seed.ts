import type { Page } from 'playwright-core';
import type { PronunciationJudgement } from '../core/pronunciation';
import type { AttemptComparison } from '../features/corrections/word-diff';

/**
 * Puts a result for `targetId` in the panel's store, as a judged attempt would. The store is not on `window`: it
 * is the value of the StoreContext provider at the root of the panel's Preact tree (entrypoints/sidepanel/main.tsx),
 * reached through Preact's own fields on the container (`__k`: a node's rendered children).
 */
export async function seedAttempt(
  page: Page,
  targetId: string,
  pronunciation: PronunciationJudgement,
  /** What the transcription heard, for a kind that is transcribed too ('say-again'). */
  transcribed: { said: string; comparison?: AttemptComparison } = { said: '' },
): Promise<void> {
  await page.evaluate(
    ({ targetId, pronunciation, transcribed }) => {
      type VNode = { __k?: VNode[]; props?: { value?: unknown } };
      const container = document.getElementById('app') as unknown as { __k?: VNode };
      const store = container.__k?.__k?.[0]?.props?.value as
        | { attempts: { value: Record<string, unknown> } }
        | undefined;
      if (!store?.attempts) throw new Error('the panel store is not at the root of its Preact tree');
      // Until the panel can play a word back, a stand-in player: the words are buttons only with one.
      const player = store as { playAttemptWord?: () => Promise<void> };
      player.playAttemptWord ??= () => Promise.resolve();
      const target = { id: targetId, kind: targetId.startsWith('repeat:') ? 'repeat' : 'say-again', text: '' };
      store.attempts.value = {
        ...store.attempts.value,
        [targetId]: { target, ...transcribed, pronunciation, durationMs: 2000, at: Date.now() },
      };
    },
    { targetId, pronunciation, transcribed },
  );
}
