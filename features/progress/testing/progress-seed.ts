import { createEmptyCard } from 'ts-fsrs';
import type { Message, NotebookEntry, Reading, Recording, StoredCheck } from '@/core/db/schema';
import { db } from '@/core/db/open';

/**
 * A learner's fortnight for the Progress tests: turns with and without word timings (and one
 * whose length only its recording knows), checks with dismissed and misheard corrections,
 * reviewed notebook entries, a page read aloud, and a day without practice. `now` is noon of a
 * Wednesday; the days are counted back from it.
 */

export const SEED_NOW = new Date(2026, 11, 2, 12, 0, 0).getTime();

export const dayAt = (daysBack: number, hour: number) => {
  const date = new Date(SEED_NOW);
  date.setDate(date.getDate() - daysBack);
  date.setHours(hour, 0, 0, 0);
  return date.getTime();
};

function timed(text: string, start: number, end: number): Message['words'] {
  const words = text.split(' ');
  const step = (end - start) / words.length;
  return words.map((word, i) => ({ word, start: start + i * step, end: start + (i + 1) * step }));
}

function turn(
  id: string,
  conversationId: string,
  createdAt: number,
  text: string,
  extra: Partial<Message> = {},
): Message {
  return { id, conversationId, role: 'user', text, status: 'done', createdAt, timings: {}, ...extra };
}

export interface Seed {
  messages: Message[];
  recordings: Recording[];
  checks: StoredCheck[];
  notebook: NotebookEntry[];
  readings: Reading[];
}

export function progressSeed(): Seed {
  const messages: Message[] = [
    // Today: two turns with word timings (3 s and 2 s from first to last word).
    turn('t1', 'c1', dayAt(0, 9), 'Yesterday I go to the park', {
      words: timed('Yesterday I go to the park', 0.5, 3.5),
    }),
    turn('t2', 'c1', dayAt(0, 9) + 60_000, 'It was very nice', { words: timed('It was very nice', 0.2, 2.2) }),
    { ...turn('r1', 'c1', dayAt(0, 9) + 30_000, 'Nice! What did you do there?'), role: 'assistant' },
    turn('f1', 'c1', dayAt(0, 10), '', { status: 'failed', error: 'no network' }),
    // Yesterday: no word timings; one turn's length is known only from its recording.
    turn('t3', 'c2', dayAt(1, 20), 'I like coffee', { durationS: 2 }),
    turn('t4', 'c2', dayAt(1, 20) + 60_000, 'We walk every morning together', { recordingId: 'rec4' }),
    // Two days ago nothing; three days ago one turn.
    turn('t5', 'c3', dayAt(3, 18), 'My brother is more taller than me', { durationS: 4 }),
  ];
  const recordings: Recording[] = [
    {
      id: 'rec4',
      conversationId: 'c2',
      blob: new Blob([new Uint8Array(10)], { type: 'audio/webm' }),
      mimeType: 'audio/webm',
      durationMs: 4000,
      createdAt: dayAt(1, 20),
    },
  ];
  const check = (
    messageId: string,
    conversationId: string,
    at: number,
    sentence: string,
    rest: Partial<StoredCheck>,
  ) => ({
    messageId,
    conversationId,
    sentence,
    corrections: [],
    natural: sentence,
    dismissed: [],
    misheard: false,
    checkedAt: at + 5_000,
    ...rest,
  });
  const checks: StoredCheck[] = [
    check('t1', 'c1', dayAt(0, 9), 'Yesterday I go to the park', {
      corrections: [
        { original: 'go', corrected: 'went', explanation: 'Past.', kind: 'grammar' },
        { original: 'the park', corrected: 'a park', explanation: 'Article.', kind: 'grammar' },
        { original: 'Yesterday', corrected: 'Yesterday,', explanation: 'Comma.', kind: 'naturalness' },
        { original: 'park', corrected: 'bark', explanation: 'Heard?', kind: 'possibly_misheard' },
      ],
      dismissed: [1],
    }),
    check('t2', 'c1', dayAt(0, 9) + 60_000, 'It was very nice', {}),
    check('t5', 'c3', dayAt(3, 18), 'My brother is more taller than me', {
      corrections: [
        { original: 'more taller', corrected: 'taller', explanation: 'Comparative.', kind: 'grammar' },
        { original: 'than me', corrected: 'me than', explanation: 'Order.', kind: 'word_order' },
      ],
    }),
  ];
  const entry = (id: string, due: number, extra: Partial<NotebookEntry> = {}): NotebookEntry => ({
    id,
    conversationId: 'c1',
    messageId: 't1',
    correctionIndex: 0,
    sentence: 'Yesterday I go to the park',
    correctedSentence: 'Yesterday I went to the park',
    natural: 'Yesterday I went to the park.',
    correction: { original: 'go', corrected: 'went', explanation: 'Past.', kind: 'grammar' },
    createdAt: dayAt(3, 18),
    card: createEmptyCard(new Date(due)),
    due,
    ...extra,
  });
  const notebook: NotebookEntry[] = [
    // Reviewed yesterday and again today (a review log), overdue since this morning.
    entry('n1', dayAt(0, 8), { reviewedAt: [dayAt(1, 21), dayAt(0, 11)] }),
    // Reviewed once, before reviews were logged: its last attempt is all that is known.
    entry('n2', dayAt(0, 23), {
      lastAttempt: { at: dayAt(1, 21), said: 'x', right: 1, total: 2, allRight: false },
    }),
    entry('n3', dayAt(-1, 9)),
    entry('n4', dayAt(-3, 9)),
  ];
  const readings: Reading[] = [
    {
      id: 'p1',
      pageTitle: 'A page',
      url: 'https://example.org/',
      text: 'Read this',
      said: 'Read this',
      right: 2,
      total: 2,
      wordsPerMinute: 100,
      durationMs: 54_000,
      at: dayAt(3, 19),
    },
  ];
  return { messages, recordings, checks, notebook, readings };
}

export async function writeSeed(seed: Seed): Promise<void> {
  const database = await db();
  const tx = database.transaction(['messages', 'recordings', 'checks', 'notebook', 'readings'], 'readwrite');
  await Promise.all([
    ...seed.messages.map((m) => tx.objectStore('messages').put(m)),
    ...seed.recordings.map((r) => tx.objectStore('recordings').put(r)),
    ...seed.checks.map((c) => tx.objectStore('checks').put(c)),
    ...seed.notebook.map((n) => tx.objectStore('notebook').put(n)),
    ...seed.readings.map((r) => tx.objectStore('readings').put(r)),
  ]);
  await tx.done;
}
