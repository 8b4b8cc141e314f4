import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DB_NAME, type Message } from '@/core/db/schema';
import { resetDbConnection } from '@/core/db/open';
import { createConversation, getConversation, putMessage } from '@/core/db/conversations';
import type { PageCapture } from '@/features/page/page-capture';
import { NEW_PAGE_MARK } from '@/features/page/prompt-marks';
import { createHistory, RECENT_MESSAGES, TEACHER_CONTEXT, type HistoryDeps, type HistoryStore } from './history';
import { MemoryLocks } from './memory-locks';
import { storedMessage } from './message-sharing';
import { deleteDatabase } from '@/core/testing/idb';

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

const open: HistoryStore[] = [];

/** One panel's history; its BroadcastChannel (Node's own) reaches every other panel's. */
function createPanelHistory(deps: HistoryDeps = {}): HistoryStore {
  const history = createHistory(deps);
  open.push(history);
  return history;
}

afterEach(() => {
  for (const history of open.splice(0)) history.dispose();
});

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

describe('a conversation about a page', () => {
  it('gives the teacher the page with every turn, and asks it to open about a page just brought in', async () => {
    const history = createPanelHistory();
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
    const history = createPanelHistory();
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
    const history = createPanelHistory();
    await history.create();
    await history.setPages([page()]);
    await history.setPages([]);
    expect(history.chat('Be kind.')).toEqual([{ role: 'system', content: 'Be kind.' }]);
  });
});

describe('one conversation open in two windows', () => {
  const locks = () => new MemoryLocks();

  const userTurn = (conversationId: string, over: Partial<Message> = {}): Message => ({
    id: crypto.randomUUID(),
    conversationId,
    role: 'user',
    text: '',
    status: 'transcribing',
    createdAt: Date.now(),
    timings: {},
    ...over,
  });

  const reply = (conversationId: string, over: Partial<Message> = {}): Message => ({
    ...userTurn(conversationId),
    role: 'assistant',
    status: 'streaming',
    createdAt: Date.now() + 1,
    ...over,
  });

  /** What the other panel shows within a second: each panel shows the other's writes as they land. */
  const soon = (check: () => void) => vi.waitFor(check, { timeout: 1_000, interval: 5 });

  it('a panel opening while the other streams a reply leaves it streaming, and both see each other’s new messages', async () => {
    const manager = locks();
    const a = createPanelHistory({ locks: manager.panel() });
    const { id } = await a.create();
    await a.save(userTurn(id, { text: 'Yesterday I go to the park.', status: 'done' }));
    const answer = reply(id);
    await a.save(answer);
    await a.patch(answer.id, { text: 'You went to the park!' });

    const b = createPanelHistory({ locks: manager.panel() });
    await b.open(id);
    expect(b.find(answer.id)).toMatchObject({ status: 'streaming', text: 'You went to the park!' });
    expect((await storedMessage(answer.id))?.status).toBe('streaming');

    const whole = 'You went to the park! What did you do there?';
    await a.patch(answer.id, { text: whole });
    await soon(() => expect(b.find(answer.id)?.text).toBe(whole));
    await a.patch(answer.id, { status: 'done' });
    await soon(() => expect(b.find(answer.id)?.status).toBe('done'));

    // B's learner takes the next turn; A shows it.
    const next = userTurn(id, { createdAt: Date.now() + 2 });
    await b.save(next);
    await soon(() => expect(a.messages.value.map((m) => m.id)).toEqual([...b.messages.value.map((m) => m.id)]));
    expect(a.messages.value.at(-1)?.id).toBe(next.id);
    expect(await storedMessage(answer.id)).toMatchObject({ status: 'done', text: whole });
  });

  it('a turn being transcribed in one panel is not marked failed by the other, which shows its transcript when it comes', async () => {
    const manager = locks();
    const a = createPanelHistory({ locks: manager.panel() });
    const { id } = await a.create();
    const turn = userTurn(id);
    await a.save(turn);

    const b = createPanelHistory({ locks: manager.panel() });
    await b.open(id);
    expect(b.find(turn.id)?.status).toBe('transcribing');

    await a.patch(turn.id, { status: 'done', text: 'I like reading books.' });
    await soon(() => expect(b.find(turn.id)).toMatchObject({ status: 'done', text: 'I like reading books.' }));
    expect(await storedMessage(turn.id)).toMatchObject({ status: 'done', text: 'I like reading books.' });
    await soon(() => expect(b.conversation.value?.title).toBe('I like reading books.'));
  });

  it('a late write from a panel that does not own the reply keeps the whole reply', async () => {
    const manager = locks();
    const a = createPanelHistory({ locks: manager.panel() });
    const { id } = await a.create();
    const answer = reply(id);
    await a.save(answer);
    await a.patch(answer.id, { text: 'Hello there.' });
    const b = createPanelHistory({ locks: manager.panel() });
    await b.open(id);
    expect(b.find(answer.id)?.text).toBe('Hello there.');

    // B writes a change to the reply from its copy (which A's next sentences have outgrown) while A streams.
    const late = b.patch(answer.id, { timings: { checkedAt: 5 } });
    await a.patch(answer.id, { text: 'Hello there. How are you today?' });
    await a.patch(answer.id, { status: 'done' });
    await late;
    expect(await storedMessage(answer.id)).toMatchObject({
      status: 'done',
      text: 'Hello there. How are you today?',
      timings: { checkedAt: 5 },
    });
    await soon(() =>
      expect(b.find(answer.id)).toMatchObject({ status: 'done', text: 'Hello there. How are you today?' }),
    );
  });

  it('when the panel writing a reply closes mid-reply, the other keeps what was said and marks it interrupted', async () => {
    const manager = locks();
    const aLocks = manager.panel();
    const a = createPanelHistory({ locks: aLocks });
    const { id } = await a.create();
    const answer = reply(id);
    await a.save(answer);
    await a.patch(answer.id, { text: 'You went to the park!' });

    const b = createPanelHistory({ locks: manager.panel() });
    await b.open(id);
    expect(b.find(answer.id)?.status).toBe('streaming');

    aLocks.close(); // A's window closed: Chrome releases its locks
    await soon(() => expect(b.find(answer.id)).toMatchObject({ status: 'interrupted', text: 'You went to the park!' }));
    expect(await storedMessage(answer.id)).toMatchObject({ status: 'interrupted', fullText: 'You went to the park!' });
  });

  it('a turn whose panel is gone is repaired on opening: a reply marked interrupted, a transcription failed with Retry', async () => {
    const manager = locks();
    const aLocks = manager.panel();
    const a = createPanelHistory({ locks: aLocks });
    const { id } = await a.create();
    const turn = userTurn(id, { recordingId: 'r1' });
    const answer = reply(id, { text: 'Hello there.' });
    await a.save(turn);
    await a.save(answer);
    aLocks.close();

    const b = createPanelHistory({ locks: manager.panel() });
    await b.open(id);
    expect(b.find(turn.id)).toMatchObject({ status: 'failed', recordingId: 'r1' });
    expect(b.find(answer.id)).toMatchObject({ status: 'interrupted', text: 'Hello there.' });
    expect((await storedMessage(turn.id))?.status).toBe('failed');
  });
});

describe('a conversation’s name', () => {
  it('comes from the learner’s first words once their turn is transcribed, in the panel that transcribed it', async () => {
    const history = createPanelHistory();
    const { id } = await history.create();
    const turn: Message = {
      id: 'first-turn',
      conversationId: id,
      role: 'user',
      text: '',
      status: 'transcribing',
      createdAt: Date.now(),
      timings: {},
    };
    await history.save(turn);
    await history.patch(turn.id, { status: 'done', text: 'Yesterday I go to the park.' });

    expect(history.conversation.value?.title).toBe('Yesterday I go to the park.');
    expect(history.conversations.value.map((c) => c.title)).toContain('Yesterday I go to the park.');
  });
});

/**
 * A conversation of `turns` turns in IndexedDB: the teacher's opening question, then the learner's
 * sentence `n` and the teacher's answer `n`, a millisecond apart.
 */
async function longConversation(turns: number): Promise<{ id: string; said: Message[] }> {
  const { id } = await createConversation();
  const line = (n: number, role: Message['role'], text: string): Message => ({
    id: `m${String(n).padStart(4, '0')}`,
    conversationId: id,
    role,
    text,
    status: 'done',
    createdAt: 1_000 + n,
    timings: {},
    ...(role === 'user' ? { words: [{ word: 'I', start: 0, end: 0.2 }] } : {}),
  });
  const said = [line(0, 'assistant', 'What did you do yesterday?')];
  for (let n = 1; n <= turns; n++) {
    said.push(line(2 * n - 1, 'user', `sentence ${n}`), line(2 * n, 'assistant', `answer ${n}`));
  }
  for (const message of said) await putMessage(message);
  return { id, said };
}

describe('a long conversation', () => {
  const texts = (messages: readonly Message[]) => messages.map((m) => m.text);

  it('is opened at its recent part; "Show earlier" brings the previous 40 in order, counting the rest, until it is opened again', async () => {
    const { id, said } = await longConversation(100);
    const history = createPanelHistory();
    await history.open(id);

    expect(RECENT_MESSAGES).toBe(60);
    expect(texts(history.messages.value)).toEqual(texts(said.slice(-60)));
    expect(history.earlier.value).toBe(141);
    expect(history.find(said[0]!.id)).toBeUndefined();

    await history.showEarlier();
    expect(texts(history.messages.value)).toEqual(texts(said.slice(-100)));
    expect(history.earlier.value).toBe(101);
    for (let press = 0; press < 3; press++) await history.showEarlier();
    expect(texts(history.messages.value)).toEqual(texts(said));
    expect(history.earlier.value).toBe(0);

    await history.open(id);
    expect(texts(history.messages.value)).toEqual(texts(said.slice(-60)));
    expect(history.earlier.value).toBe(141);
  });

  it('releases its oldest kept message with each new one, unless the learner is reading earlier ones', async () => {
    const { id, said } = await longConversation(100);
    const history = createPanelHistory();
    await history.open(id);
    const oldest = history.messages.value[0]!;

    const turn = (n: number): Message => ({
      id: `new-${n}`,
      conversationId: id,
      role: 'user',
      text: `new sentence ${n}`,
      status: 'done',
      createdAt: 10_000 + n,
      timings: {},
    });
    await history.save(turn(1));
    expect(history.messages.value).toHaveLength(RECENT_MESSAGES);
    expect(history.messages.value.at(-1)?.id).toBe('new-1');
    expect(history.find(oldest.id)).toBeUndefined();
    expect(history.earlier.value).toBe(142);

    // Another panel's turn is kept the same way.
    const other = createPanelHistory();
    await other.open(id);
    await other.save(turn(2));
    await vi.waitFor(() => expect(history.messages.value.at(-1)?.id).toBe('new-2'), { timeout: 1_000, interval: 5 });
    expect(history.messages.value).toHaveLength(RECENT_MESSAGES);
    expect(history.earlier.value).toBe(143);

    await history.showEarlier();
    await history.save(turn(3));
    expect(history.messages.value).toHaveLength(RECENT_MESSAGES + 40 + 1);
    expect(history.messages.value[0]?.id).toBe(said[103]!.id);
    expect(history.earlier.value).toBe(103);
  });

  it('sends the teacher only its last TEACHER_CONTEXT turns, never a reply cut from its question', async () => {
    const { id, said } = await longConversation(100);
    const history = createPanelHistory();
    await history.open(id);

    expect(TEACHER_CONTEXT).toBe(40);
    const sent = history.chat('Be kind.');
    expect(sent[0]).toEqual({ role: 'system', content: 'Be kind.' });
    expect(sent.slice(1)).toEqual(said.slice(-40).map((m) => ({ role: m.role, content: m.text })));

    // The learner's next sentence would leave an answer first, without its question: it goes.
    await history.save({
      id: 'next',
      conversationId: id,
      role: 'user',
      text: 'I went to the cinema.',
      status: 'done',
      createdAt: 10_000,
      timings: {},
    });
    const next = history.chat('Be kind.');
    expect(next).toHaveLength(1 + 39);
    expect(next[1]).toEqual({ role: 'user', content: 'sentence 82' });
    expect(next.at(-1)).toEqual({ role: 'user', content: 'I went to the cinema.' });
  });

  it('a short conversation is sent whole, its opening question first', async () => {
    const { id, said } = await longConversation(3);
    const history = createPanelHistory();
    await history.open(id);
    expect(history.chat('Be kind.').slice(1)).toEqual(said.map((m) => ({ role: m.role, content: m.text })));
    expect(history.earlier.value).toBe(0);
  });
});
