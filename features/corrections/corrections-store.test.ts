import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DB_NAME, type Message } from '@/core/db/schema';
import { resetDbConnection } from '@/core/db/open';
import { createConversation, putMessage } from '@/core/db/conversations';
import { deleteDatabase } from '@/core/testing/idb';
import { createHistory, type HistoryStore } from '@/features/conversations/history';
import { fakeSettings } from '@/features/talk/testing/turn-fakes';
import { createCorrections, type CorrectionsStore } from './corrections-store';
import { saveCheck } from './notebook';

const stores: Array<HistoryStore | CorrectionsStore> = [];

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

/** 100 turns, each learner sentence checked (one correction each) in an earlier session. */
async function checkedConversation(): Promise<{ id: string; sentences: Message[] }> {
  const { id } = await createConversation();
  const sentences: Message[] = [];
  for (let n = 0; n < 100; n++) {
    const sentence: Message = {
      id: `u${String(n).padStart(3, '0')}`,
      conversationId: id,
      role: 'user',
      text: `Yesterday I go to place ${n}.`,
      status: 'done',
      createdAt: 1_000 + 2 * n,
      timings: {},
    };
    sentences.push(sentence);
    await putMessage(sentence);
    await putMessage({
      ...sentence,
      id: `a${n}`,
      role: 'assistant',
      text: `Tell me about place ${n}.`,
      createdAt: 1_001 + 2 * n,
    });
    await saveCheck(
      {
        sentence: sentence.text,
        corrections: [{ original: 'go', corrected: 'went', explanation: 'Past tense.', kind: 'grammar' }],
        natural: `Yesterday I went to place ${n}.`,
        dropped: 0,
      },
      { messageId: sentence.id, conversationId: id },
    );
  }
  return { id, sentences };
}

function panel() {
  const history = createHistory();
  const corrections = createCorrections({ history, settings: fakeSettings(), onChanged: () => undefined });
  stores.push(corrections, history);
  return { history, corrections };
}

const soon = (check: () => void) => vi.waitFor(check, { timeout: 1_000, interval: 5 });

describe('the correction cards of a long conversation', () => {
  it('are kept only for the sentences the history keeps, and come back with a sentence shown again', async () => {
    const { id, sentences } = await checkedConversation();
    const { history, corrections } = panel();
    await history.open(id);

    const keptSentences = () => history.messages.value.filter((m) => m.role === 'user').map((m) => m.id);
    await soon(() => expect(Object.keys(corrections.cards.value).sort()).toEqual(keptSentences()));
    expect(Object.keys(corrections.cards.value)).toHaveLength(30);

    // "Show earlier messages": the 20 sentences brought back have their cards again, as stored.
    await history.showEarlier();
    await soon(() => expect(Object.keys(corrections.cards.value)).toHaveLength(50));
    expect(corrections.cards.value[sentences[50]!.id]).toMatchObject({
      status: 'done',
      check: { natural: 'Yesterday I went to place 50.', corrections: [{ corrected: 'went' }] },
    });

    // Opened again, the conversation is at its recent part; a new sentence releases the oldest kept one's card.
    await history.open(id);
    await soon(() => expect(Object.keys(corrections.cards.value)).toHaveLength(30));
    const oldest = keptSentences()[0]!;
    await history.save({ ...sentences[0]!, id: 'new', text: 'I like it.', createdAt: 5_000 });
    await history.save({ ...sentences[0]!, id: 'new-reply', role: 'assistant', text: 'Why?', createdAt: 5_001 });
    await soon(() => expect(corrections.cards.value[oldest]).toBeUndefined());
    expect(Object.keys(corrections.cards.value).sort()).toEqual(keptSentences().filter((m) => m !== 'new'));
  });
});
