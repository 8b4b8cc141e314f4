import { beforeEach, describe, expect, it } from 'vitest';
import { DB_NAME, getConversation, resetDbConnection } from '@/core/db';
import type { PageCapture } from '@/features/page/page-capture';
import { NEW_PAGE_MARK } from '@/features/page/prompt-marks';
import { createHistory } from './history';

const page = (over: Partial<PageCapture> = {}): PageCapture => ({
  id: 'p1',
  title: 'Why cities plant trees',
  url: 'https://news.example.org/trees',
  lang: 'en',
  selection: '',
  text: 'Trees cool the streets around them.',
  capturedAt: Date.now(),
  ...over,
});

beforeEach(async () => {
  await resetDbConnection();
  await new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
  });
});

describe('a conversation about a page', () => {
  it('gives the teacher the page with every turn, and asks it to open about a page just brought in', async () => {
    const history = createHistory();
    const conversation = await history.create();
    await history.setPages([page()]);

    const opening = history.chat('Be kind.');
    expect(opening[0]?.content).toMatch(/^Be kind\.\n\nThe learner is reading this web page/);
    expect(opening[0]?.content).toContain('Trees cool the streets around them.');
    expect(opening.at(-1)?.content.startsWith(NEW_PAGE_MARK)).toBe(true);

    // Once the teacher has spoken, later turns stay grounded but are not asked to open again.
    await history.save({
      id: 'm1',
      conversationId: conversation.id,
      role: 'assistant',
      text: 'What is the article about?',
      status: 'done',
      createdAt: Date.now() + 1,
      timings: {},
    });
    const later = history.chat('Be kind.');
    expect(later[0]?.content).toContain('Trees cool the streets around them.');
    expect(later.at(-1)).toEqual({ role: 'assistant', content: 'What is the article about?' });
    expect((await getConversation(conversation.id))?.pages?.map((p) => p.title)).toEqual(['Why cities plant trees']);
  });

  it('asks about a page captured in the same millisecond as the last message (a page shortcut as the panel opens)', async () => {
    const history = createHistory();
    const conversation = await history.create();
    const at = Date.now();
    await history.save({
      id: 'opening',
      conversationId: conversation.id,
      role: 'assistant',
      text: 'What did you do yesterday?',
      status: 'done',
      createdAt: at,
      timings: {},
    });
    await history.setPages([page({ capturedAt: at })]);
    expect(history.chat('Be kind.').at(-1)?.content.startsWith(NEW_PAGE_MARK)).toBe(true);
  });

  it('stops sending a page the learner took out', async () => {
    const history = createHistory();
    await history.create();
    await history.setPages([page()]);
    await history.setPages([]);
    expect(history.chat('Be kind.')).toEqual([{ role: 'system', content: 'Be kind.' }]);
  });
});
