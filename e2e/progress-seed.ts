import type { Page } from 'playwright-core';

/**
 * Two weeks of a learner's practice written straight into the panel's IndexedDB, for the Progress
 * view's end-to-end test and its README screenshots: turns on most days (more and faster lately),
 * checks with fewer mistakes as the days go on, notebook entries reviewed on some days and due on
 * others. Records are shaped as core/db/schema.ts keeps them.
 */

export interface ProgressSeedOptions {
  /** The corrected sentence of the entry due first: what the first due "Say it again" asks for. */
  firstDue: { sentence: string; corrected: string; original: string; replacement: string };
  /** Entries due today, the first one included. */
  dueToday?: number;
}

const DAY = 24 * 3600_000;

const LINES = [
  'I work in a small company near the river',
  'Last week I have visited my grandmother',
  'She cook very good dumplings for us',
  'We talked about my new job and the future',
  'I think the weather will be better tomorrow',
];

interface Row {
  store: string;
  value: Record<string, unknown>;
}

function seedRows(now: number, options: ProgressSeedOptions): Row[] {
  const rows: Row[] = [];
  const at = (daysBack: number, hour: number, minute = 0) => {
    const date = new Date(now - daysBack * DAY);
    date.setHours(hour, minute, 0, 0);
    return date.getTime();
  };
  // Rest days: the streak runs from five days ago to yesterday.
  const spokeOn = [1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 13];
  for (const back of spokeOn) {
    const conversationId = `seed-c${back}`;
    rows.push({
      store: 'conversations',
      value: { id: conversationId, title: `Practice ${back}`, createdAt: at(back, 19), updatedAt: at(back, 19, 30) },
    });
    const turns = 2 + ((13 - back) % 4);
    for (let i = 0; i < turns; i++) {
      const text = LINES[(back + i) % LINES.length]!;
      const words = text.split(' ').length;
      // Faster lately: 2.6 words a second two weeks ago, 2.0 at the start.
      const wordsPerSecond = 1.6 + (13 - back) * 0.08;
      const createdAt = at(back, 19, i * 3);
      const messageId = `seed-m${back}-${i}`;
      rows.push({
        store: 'messages',
        value: {
          id: messageId,
          conversationId,
          role: 'user',
          text,
          status: 'done',
          createdAt,
          timings: {},
          durationS: Math.round((words / wordsPerSecond) * 10) / 10,
        },
      });
      // A mistake in most early sentences, in fewer later on.
      const mistaken = i % 2 === 0 || back > 7;
      rows.push({
        store: 'checks',
        value: {
          messageId,
          conversationId,
          sentence: text,
          corrections: mistaken
            ? [
                {
                  original: text.split(' ')[1],
                  corrected: text.split(' ')[1],
                  explanation: 'Seeded.',
                  kind: i % 3 === 0 ? 'word_choice' : 'grammar',
                },
              ]
            : [],
          natural: text,
          dismissed: [],
          misheard: false,
          checkedAt: createdAt + 4_000,
        },
      });
    }
  }
  const due = options.dueToday ?? 3;
  for (let i = 0; i < due + 3; i++) {
    const first = i === 0;
    const dueAt = i < due ? now - (due - i) * 3600_000 : now + (i - due + 1) * DAY;
    rows.push({
      store: 'notebook',
      value: {
        id: `seed-n${i}`,
        conversationId: 'seed-c3',
        messageId: `seed-m3-${i}`,
        correctionIndex: 0,
        sentence: first ? options.firstDue.sentence : LINES[i % LINES.length],
        correctedSentence: first ? options.firstDue.corrected : LINES[i % LINES.length],
        natural: first ? options.firstDue.corrected : LINES[i % LINES.length],
        correction: first
          ? {
              original: options.firstDue.original,
              corrected: options.firstDue.replacement,
              explanation: 'Past tense.',
              kind: 'grammar',
            }
          : { original: 'I', corrected: 'I', explanation: 'Seeded.', kind: 'grammar' },
        createdAt: at(13, 19),
        // ts-fsrs's card; its dates are Dates again in the page.
        card: {
          due: dueAt,
          stability: 1,
          difficulty: 5,
          elapsed_days: 0,
          scheduled_days: 1,
          learning_steps: 0,
          reps: 2,
          lapses: 0,
          state: 2,
          last_review: at(2, 20),
        },
        due: dueAt,
        reviewedAt: [at(8, 20), at(4, 20), at(2, 20)].slice(0, 1 + (i % 3)),
      },
    });
  }
  return rows;
}

/** Writes the seed into the panel page's database (already open at the current version). */
export async function seedProgress(page: Page, options: ProgressSeedOptions, now = Date.now()): Promise<void> {
  await writeSeed(page, seedRows(now, options));
}

/**
 * Puts seed records into the panel page's database (already open at the current version), in one transaction.
 * A notebook card's dates go in as Dates, as ts-fsrs keeps them (they cross into the page as numbers).
 */
export async function writeSeed(
  page: Page,
  records: ReadonlyArray<{ store: string; value: Record<string, unknown> }>,
): Promise<void> {
  await page.evaluate(async (records) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('aitalk');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const stores = [...new Set(records.map((row) => row.store))];
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(stores, 'readwrite');
      for (const { store, value } of records) {
        const card = value.card as Record<string, unknown> | undefined;
        const dates = card && {
          due: new Date(card.due as number),
          ...(card.last_review === undefined ? {} : { last_review: new Date(card.last_review as number) }),
        };
        tx.objectStore(store).put(card ? { ...value, card: { ...card, ...dates } } : value);
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, records);
}
