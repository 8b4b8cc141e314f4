import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { checkLearnerSentence, judgeRepetition } from './corrections-lane';
import { DB_NAME } from '../../core/db/schema';
import { resetDbConnection } from '../../core/db/open';
import { chatCompletion } from '../../core/testing/chat';
import { deleteDatabase } from '../../core/testing/idb';
import { entriesOfMessage, getCheck, listNotebook } from './notebook';

const ENDPOINT = { apiKey: 'sk-test', baseUrl: 'https://api.example.test/v1', model: 'gpt-4o-mini' };
const INPUT = { sentence: 'Yesterday I go to the library', explanationLanguage: 'en' as const };
const IDS = { messageId: 'm1', conversationId: 'c1' };
const NOON = new Date(2026, 10, 29, 12, 0, 0).getTime();

const answering = (status: number, body: unknown) =>
  (async () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;

const ANSWER = chatCompletion(
  JSON.stringify({
    corrections: [{ original: 'go', corrected: 'went', explanation: 'Past tense.', kind: 'grammar' }],
    natural: 'Yesterday I went to the library.',
  }),
);

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

describe('the corrections lane', () => {
  it('checks a sentence, keeps the check and puts its corrections in the notebook', async () => {
    const result = await checkLearnerSentence(ENDPOINT, INPUT, IDS, { fetch: answering(200, ANSWER) });
    expect(result).toMatchObject({
      status: 'done',
      check: { messageId: 'm1', conversationId: 'c1', corrections: [{ corrected: 'went' }] },
    });
    expect((await getCheck('m1'))?.natural).toBe('Yesterday I went to the library.');
    expect((await listNotebook()).map((e) => e.correctedSentence)).toEqual(['Yesterday I went to the library']);
  });

  it('turns a failed check into a card message with Retry, and keeps nothing', async () => {
    const result = await checkLearnerSentence(ENDPOINT, INPUT, IDS, {
      fetch: answering(429, {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      }),
    });
    expect(result).toEqual({ status: 'failed', message: expect.stringMatching(/run out of credit/), canRetry: true });
    expect(await listNotebook()).toEqual([]);
  });

  it('judges a repetition locally and schedules the reviews it practised', async () => {
    await checkLearnerSentence(ENDPOINT, INPUT, IDS, { fetch: answering(200, ANSWER) });
    const ids = (await entriesOfMessage('m1')).map((e) => e.id);
    const wrong = await judgeRepetition('Yesterday I went to the library', 'Yesterday I go to the library', ids, NOON);
    expect(wrong.comparison.allRight).toBe(false);
    expect(wrong.entries[0]?.lastAttempt).toMatchObject({
      allRight: false,
      right: 5,
      total: 6,
      said: 'Yesterday I go to the library',
    });
    const right = await judgeRepetition(
      'Yesterday I went to the library',
      'yesterday I went to the library',
      ids,
      NOON + 1000,
    );
    expect(right.comparison.allRight).toBe(true);
    expect(right.entries[0]?.card.reps).toBe(2);
  });
});
