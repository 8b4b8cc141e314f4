import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSilenceWav, makeSpeechWav } from '../script/lib/speech-wav.ts';
import { readDatabase, speechEvents, tapSpeechEvents } from './harness';
import {
  SENTENCES,
  bannerText,
  configure,
  connectToStage,
  dismissBanner,
  talk,
  talkButton,
  teacherChats,
  transcriptions,
  usePanel,
  waitForPhase,
  waitUntil,
} from './fixtures';

describe('fast turn-taking', () => {
  // Full-length replies, streamed slowly enough that the stream is still open while the
  // teacher speaks: the case where barge-in must abort it.
  const t = usePanel({ replyWords: 100 });

  beforeAll(async () => {
    t.stage.standin.control.setLatency({ tokensPerSecond: 12 });
    await tapSpeechEvents(t.page);
    await connectToStage(t.page, t.stage);
    await waitForPhase(t.page, ['speaking', 'idle'], 30_000);
    await talkButton(t.page).click(); // interrupt the long opening question
    await talkButton(t.page).click(); // and stop at once: too short to send
    await waitForPhase(t.page, 'idle');
  });

  afterEach(async () => {
    await dismissBanner(t.page);
  });

  it('barge-in silences the teacher, aborts the reply, and no stale sentence plays afterwards', async () => {
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());
    await waitForPhase(t.page, 'speaking', 30_000);
    await t.page.waitForTimeout(1_500);

    await t.stage.say('books');
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'recording');
    const stoppedAt = await t.page.evaluate(() => performance.timeOrigin + performance.now());

    // The chat stream was cut off, not left running in the background.
    const chat = teacherChats(t.stage.standin).at(-1);
    await waitUntil(() => chat?.aborted);

    const db = await readDatabase(t.page);
    const interrupted = db.messages.filter((m) => m.role === 'assistant').at(-1)!;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.text.length).toBeGreaterThan(0);
    expect(interrupted.timings.silencedAt).toBeGreaterThanOrEqual(interrupted.timings.interruptedAt!);
    const fullReply = chat?.reply ?? '';
    expect(fullReply.startsWith(interrupted.text.slice(0, 20))).toBe(true);
    expect(interrupted.text.length).toBeLessThan(fullReply.length);
    await t.page.locator('.message-assistant[data-status=interrupted]').last().getByText('Interrupted').waitFor();

    // Let the old reply's remaining sentences have every chance to (wrongly) play.
    await t.page.waitForTimeout(2_500);
    const events = await speechEvents(t.page);
    const oldTurn = events.filter((e) => e.type === 'started').map((e) => e.turnId);
    const interruptedTurnId = interrupted.id;
    const lateStarts = events.filter(
      (e) => e.turnId === interruptedTurnId && e.type === 'started' && e.receivedAt > stoppedAt,
    );
    expect(oldTurn).toContain(interruptedTurnId);
    expect(lateStarts).toEqual([]);

    // The new turn goes on normally.
    await talkButton(t.page).click();
    await t.page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'speaking', 30_000);
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'recording');
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'idle', 30_000);
  });

  it('the next turn sends what the learner heard of an interrupted reply, not what was cut', async () => {
    const chats = teacherChats(t.stage.standin);
    const afterBargeIn = chats.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    const db = await readDatabase(t.page);
    const books = db.messages.findIndex((m) => m.role === 'user' && m.text === SENTENCES.books);
    const interrupted = db.messages[books - 1];
    expect(interrupted?.status).toBe('interrupted');
    // The model is told exactly what the learner heard before cutting in.
    const sent = afterBargeIn.messages.find((m) => m.role === 'assistant' && m.content.startsWith('You said'));
    expect(sent?.content).toBe(interrupted?.text);
  });

  it('hands-free: ends the turn when the learner goes quiet, keeps a sentence with a pause whole, and listens again', async () => {
    const sentence = SENTENCES.park;
    const paused = await makeSpeechWav(
      [{ silenceMs: 300 }, 'Yesterday I go to the park', { silenceMs: 100 }, 'with my friend.', { silenceMs: 4_000 }],
      path.join(t.stage.dir, 'paused.wav'),
    );
    const silence = await makeSilenceWav(30_000, path.join(t.stage.dir, 'long-silence.wav'));
    t.stage.standin.control.setCandidates([sentence, 'Yesterday I go to the park.', SENTENCES.books]);
    t.stage.standin.control.setLatency({ tokensPerSecond: 2000, replyWords: 30 });
    await copyFile(paused, t.stage.mic);
    await configure(t.page, { handsFree: true });

    const before = transcriptions(t.stage.standin).length;
    await talkButton(t.page).click(); // once: no second press
    await waitForPhase(t.page, ['listening', 'recording']);
    const upload = await waitUntil(() => transcriptions(t.stage.standin)[before], 20_000);
    // Nothing more to say: the microphone restarts on silence for the next turn.
    await copyFile(silence, t.stage.mic);
    await waitUntil(() => upload.transcript !== undefined);
    expect(upload.transcript).toBe(sentence);

    await t.page.locator('.message-user', { hasText: sentence }).last().waitFor();
    // Listening again after the reply, without a key press.
    await waitForPhase(t.page, 'listening', 40_000);
    expect(await t.page.locator('.hands-free-badge').count()).toBe(1);
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'idle');
    expect(await bannerText(t.page, 'info')).toContain('Hands-free paused');
  });

  it('hands-free: speaking over the teacher interrupts it', async () => {
    const late = await makeSpeechWav(
      [{ silenceMs: 2_500 }, SENTENCES.books, { silenceMs: 4_000 }],
      path.join(t.stage.dir, 'late.wav'),
    );
    const silence = path.join(t.stage.dir, 'long-silence.wav');
    t.stage.standin.control.setLatency({ tokensPerSecond: 40, replyWords: 100 });
    t.stage.standin.control.setCandidates(Object.values(SENTENCES));
    await t.stage.say('food');
    const before = transcriptions(t.stage.standin).length;

    const booksBefore = await t.page.locator('.message-user', { hasText: SENTENCES.books }).count();
    await talkButton(t.page).click();
    await waitUntil(() => transcriptions(t.stage.standin)[before], 20_000);
    // While the teacher answers, the learner starts talking again (2.5 s into the new capture).
    await copyFile(late, t.stage.mic);
    await waitUntil(
      async () => (await t.page.locator('.message-user', { hasText: SENTENCES.books }).count()) > booksBefore,
      40_000,
    );
    await copyFile(silence, t.stage.mic);

    const db = await readDatabase(t.page);
    const foodIndex = db.messages.findIndex((m) => m.text === SENTENCES.food);
    expect(foodIndex).toBeGreaterThan(0);
    expect(db.messages[foodIndex + 2]?.text).toBe(SENTENCES.books);
    expect(db.messages[foodIndex + 1]?.role).toBe('assistant');
    expect(db.messages[foodIndex + 1]?.status).toBe('interrupted');
    await waitForPhase(t.page, ['listening', 'speaking', 'thinking'], 30_000);
    await talkButton(t.page).click();
    await waitForPhase(t.page, ['idle', 'recording', 'listening'], 30_000);
    await configure(t.page, { handsFree: false });
  });
});
