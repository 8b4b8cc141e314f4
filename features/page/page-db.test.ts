import { beforeEach, describe, expect, it } from 'vitest';
import { resetDbConnection } from '../../core/db/open';
import { DB_NAME, type Reading, type VocabularyEntry } from '../../core/db/schema';
import { deleteDatabase } from '../../core/testing/idb';
import { listReadings, listVocabulary, putReading, putVocabulary } from './page-db';

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

const page = { pageTitle: 'Why cities plant trees', url: 'http://127.0.0.1/article.html' };

describe('what the learner did with pages', () => {
  it('keeps each reading aloud, newest first', async () => {
    const reading = (id: string, at: number): Reading => ({
      ...page,
      id,
      text: 'Trees cool streets.',
      said: 'Trees cool the streets.',
      right: 3,
      total: 3,
      wordsPerMinute: 120,
      durationMs: 1500,
      at,
    });
    await putReading(reading('first', 1));
    await putReading(reading('second', 2));
    expect((await listReadings()).map((r) => r.id)).toEqual(['second', 'first']);
  });

  it('keeps each word looked up, newest first', async () => {
    const entry = (phrase: string, at: number): VocabularyEntry => ({
      ...page,
      id: phrase,
      phrase,
      meaning: 'a meaning',
      example: 'An example.',
      language: 'zh_CN',
      at,
    });
    await putVocabulary(entry('canopy', 5));
    await putVocabulary(entry('shade', 9));
    expect((await listVocabulary()).map((v) => v.phrase)).toEqual(['shade', 'canopy']);
  });
});
