import type { Page } from 'playwright-core';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSilenceWav, makeSpeechWav } from '../script/lib/speech-wav.ts';
import { launch, readDatabase, speechEvents, tapSpeechEvents, type Browser } from './harness';
import {
  SENTENCES,
  bannerText,
  configure,
  dismissBanner,
  setUpStage,
  talk,
  talkButton,
  teacherChats,
  waitForPhase,
  waitUntil,
  type Stage,
  connectToStage,
} from './fixtures';

describe('fast turn-taking', () => {
  let stage: Stage;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // Full-length replies, streamed slowly enough that the stream is still open while the
    // teacher speaks: the case where barge-in must abort it.
    stage = await setUpStage({ replyWords: 100 });
    stage.standin.control.setLatency({ tokensPerSecond: 12 });
    browser = await launch({ micFile: stage.mic });
    page = await browser.openPanel();
    await tapSpeechEvents(page);
    await connectToStage(page, stage);
    await waitForPhase(page, ['speaking', 'idle'], 30_000);
    await talkButton(page).click(); // interrupt the long opening question
    await talkButton(page).click(); // and stop at once: too short to send
    await waitForPhase(page, 'idle');
  });

  afterAll(async () => {
    await browser?.close();
    await stage?.close();
  });

  afterEach(async () => {
    await dismissBanner(page);
  });

  it('barge-in silences the teacher, aborts the reply, and no stale sentence plays afterwards', async () => {
    await stage.say('park');
    await talk(page, () => talkButton(page).click());
    await waitForPhase(page, 'speaking', 30_000);
    await page.waitForTimeout(1_500);

    await stage.say('books');
    await talkButton(page).click();
    await waitForPhase(page, 'recording');
    const stoppedAt = await page.evaluate(() => performance.timeOrigin + performance.now());

    // The chat stream was cut off, not left running in the background.
    const chat = teacherChats(stage.standin).at(-1);
    await waitUntil(() => chat?.aborted);

    const db = await readDatabase(page);
    const interrupted = db.messages.filter((m) => m.role === 'assistant').at(-1)!;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.text.length).toBeGreaterThan(0);
    expect(interrupted.timings.silencedAt).toBeGreaterThanOrEqual(interrupted.timings.interruptedAt!);
    const fullReply = chat?.reply ?? '';
    expect(fullReply.startsWith(interrupted.text.slice(0, 20))).toBe(true);
    expect(interrupted.text.length).toBeLessThan(fullReply.length);
    await page.locator('.message-assistant[data-status=interrupted]').last().getByText('Interrupted').waitFor();

    // Let the old reply's remaining sentences have every chance to (wrongly) play.
    await page.waitForTimeout(2_500);
    const events = await speechEvents(page);
    const oldTurn = events.filter((e) => e.type === 'started').map((e) => e.turnId);
    const interruptedTurnId = interrupted.id;
    const lateStarts = events.filter(
      (e) => e.turnId === interruptedTurnId && e.type === 'started' && e.receivedAt > stoppedAt,
    );
    expect(oldTurn).toContain(interruptedTurnId);
    expect(lateStarts).toEqual([]);

    // The new turn goes on normally.
    await talkButton(page).click();
    await page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'speaking', 30_000);
    await talkButton(page).click();
    await waitForPhase(page, 'recording');
    await talkButton(page).click();
    await waitForPhase(page, 'idle', 30_000);
  });

  it('the next turn sends what the learner heard of an interrupted reply, not what was cut', async () => {
    const chats = teacherChats(stage.standin);
    const afterBargeIn = chats.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    const db = await readDatabase(page);
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
      path.join(stage.dir, 'paused.wav'),
    );
    const silence = await makeSilenceWav(30_000, path.join(stage.dir, 'long-silence.wav'));
    stage.standin.control.setCandidates([sentence, 'Yesterday I go to the park.', SENTENCES.books]);
    stage.standin.control.setLatency({ tokensPerSecond: 2000, replyWords: 30 });
    const { copyFile } = await import('node:fs/promises');
    await copyFile(paused, stage.mic);
    await configure(page, { handsFree: true });

    const before = stage.standin.requests.filter((r) => r.endpoint === 'transcriptions').length;
    await talkButton(page).click(); // once: no second press
    await waitForPhase(page, ['listening', 'recording']);
    const upload = await waitUntil(
      () => stage.standin.requests.filter((r) => r.endpoint === 'transcriptions')[before],
      20_000,
    );
    // Nothing more to say: the microphone restarts on silence for the next turn.
    await copyFile(silence, stage.mic);
    await waitUntil(() => upload.transcript !== undefined);
    expect(upload.transcript).toBe(sentence);

    await page.locator('.message-user', { hasText: sentence }).last().waitFor();
    // Listening again after the reply, without a key press.
    await waitForPhase(page, 'listening', 40_000);
    expect(await page.locator('.hands-free-badge').count()).toBe(1);
    await talkButton(page).click();
    await waitForPhase(page, 'idle');
    expect(await bannerText(page, 'info')).toContain('Hands-free paused');
  });

  it('hands-free: speaking over the teacher interrupts it', async () => {
    const late = await makeSpeechWav(
      [{ silenceMs: 2_500 }, SENTENCES.books, { silenceMs: 4_000 }],
      path.join(stage.dir, 'late.wav'),
    );
    const silence = path.join(stage.dir, 'long-silence.wav');
    const { copyFile } = await import('node:fs/promises');
    stage.standin.control.setLatency({ tokensPerSecond: 40, replyWords: 100 });
    stage.standin.control.setCandidates(Object.values(SENTENCES));
    await copyFile(path.join(stage.dir, 'food.wav'), stage.mic);
    const before = stage.standin.requests.filter((r) => r.endpoint === 'transcriptions').length;

    const booksBefore = await page.locator('.message-user', { hasText: SENTENCES.books }).count();
    await talkButton(page).click();
    await waitUntil(() => stage.standin.requests.filter((r) => r.endpoint === 'transcriptions')[before], 20_000);
    // While the teacher answers, the learner starts talking again (2.5 s into the new capture).
    await copyFile(late, stage.mic);
    await waitUntil(
      async () => (await page.locator('.message-user', { hasText: SENTENCES.books }).count()) > booksBefore,
      40_000,
    );
    await copyFile(silence, stage.mic);

    const db = await readDatabase(page);
    const foodIndex = db.messages.findIndex((m) => m.text === SENTENCES.food);
    expect(foodIndex).toBeGreaterThan(0);
    expect(db.messages[foodIndex + 2]?.text).toBe(SENTENCES.books);
    expect(db.messages[foodIndex + 1]?.role).toBe('assistant');
    expect(db.messages[foodIndex + 1]?.status).toBe('interrupted');
    await waitForPhase(page, ['listening', 'speaking', 'thinking'], 30_000);
    await talkButton(page).click();
    await waitForPhase(page, ['idle', 'recording', 'listening'], 30_000);
    await configure(page, { handsFree: false });
  });
});
