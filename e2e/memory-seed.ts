import type { Page } from 'playwright-core';
import { writeSeed } from './progress-seed';

/**
 * What the teacher remembers, written straight into the panel's IndexedDB for the accessibility
 * test and the README screenshots: three kept facts, two grammar points that came up in two
 * conversations each (so both are recurring, features/memory/recurring.ts) and two sounds the
 * learner's judged attempts went wrong in. Records are shaped as core/db/schema.ts keeps them.
 */

const HOUR = 3600_000;

export const MEMORY_SEED_FACTS = [
  { kind: 'name', text: 'Is called Li Wei' },
  { kind: 'job', text: 'Works as a nurse in Shanghai' },
  { kind: 'event', text: 'Has a job interview in London on Friday' },
] as const;

function rows(now: number): Array<{ store: string; value: Record<string, unknown> }> {
  const out: Array<{ store: string; value: Record<string, unknown> }> = MEMORY_SEED_FACTS.map((fact, index) => ({
    store: 'profile',
    value: { id: `memory-f${index}`, ...fact, createdAt: now - 48 * HOUR + index, conversationId: 'memory-c1' },
  }));
  const mistakes = [
    {
      conversationId: 'memory-c1',
      sentence: 'Yesterday I go to the park',
      original: 'go',
      corrected: 'went',
      point: 'past-simple',
    },
    {
      conversationId: 'memory-c2',
      sentence: 'Last week I buy a book',
      original: 'buy',
      corrected: 'bought',
      point: 'past-simple',
    },
    {
      conversationId: 'memory-c2',
      sentence: 'She is nurse',
      original: 'is nurse',
      corrected: 'is a nurse',
      point: 'articles',
    },
    {
      conversationId: 'memory-c3',
      sentence: 'I want to be doctor',
      original: 'be doctor',
      corrected: 'be a doctor',
      point: 'articles',
    },
  ];
  mistakes.forEach((mistake, index) => {
    const checkedAt = now - (30 - index) * HOUR;
    out.push({
      store: 'checks',
      value: {
        messageId: `memory-m${index}`,
        conversationId: mistake.conversationId,
        sentence: mistake.sentence,
        corrections: [
          {
            original: mistake.original,
            corrected: mistake.corrected,
            explanation: 'Seeded.',
            kind: 'grammar',
            grammarPoint: mistake.point,
          },
        ],
        natural: mistake.sentence,
        dismissed: [],
        misheard: false,
        checkedAt,
      },
    });
  });
  const sounds = [
    { id: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', text: 'I think so' },
    { id: 'v', ipa: 'v', word: 'very', heardInstead: 'w', text: 'It was very good' },
  ];
  sounds.forEach((sound, index) => {
    const at = now - (10 - index) * HOUR;
    out.push({
      store: 'sounds',
      value: {
        id: sound.id,
        ipa: sound.ipa,
        examples: [
          { word: sound.word, text: sound.text, heardInstead: sound.heardInstead, at, conversationId: 'memory-c3' },
        ],
        wrongCount: 1,
        conversationIds: ['memory-c3'],
        createdAt: at,
        updatedAt: at,
        // ts-fsrs's card, due now; its dates are Dates again in the page.
        card: {
          due: at,
          stability: 0,
          difficulty: 0,
          elapsed_days: 0,
          scheduled_days: 0,
          learning_steps: 0,
          reps: 0,
          lapses: 0,
          state: 0,
        },
        due: at,
      },
    });
  });
  return out;
}

/** Writes the seed into the panel page's database (already open at the current version). */
export async function seedMemory(page: Page, now = Date.now()): Promise<void> {
  await writeSeed(page, rows(now));
}

/**
 * Shows the end-of-conversation card with these facts proposed, as the chat server's answer would.
 * The store is not on `window`: it is the value of the StoreContext provider at the root of the
 * panel's Preact tree (entrypoints/sidepanel/main.tsx), reached through Preact's own fields (`__k`).
 */
export async function proposeFacts(
  page: Page,
  facts: ReadonlyArray<{ kind: string; text: string }>,
  conversationId = 'memory-proposed',
): Promise<void> {
  await page.evaluate(
    ({ facts, conversationId }) => {
      type VNode = { __k?: VNode[]; props?: { value?: unknown } };
      const container = document.getElementById('app') as unknown as { __k?: VNode };
      const store = container.__k?.__k?.[0]?.props?.value as { memory?: { proposal: { value: unknown } } } | undefined;
      if (!store?.memory) throw new Error('the panel store, with its memory, is not at the root of its Preact tree');
      store.memory.proposal.value = {
        conversationId,
        facts: facts.map((fact, index) => ({ ...fact, key: `${conversationId}-${index}` })),
      };
    },
    { facts, conversationId },
  );
}
