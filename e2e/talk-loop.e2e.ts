import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, readDatabase, type Browser } from './harness';
import {
  SENTENCES,
  setUpStage,
  talk,
  talkButton,
  teacherChats,
  waitForPhase,
  waitUntil,
  type Stage,
  connectToStage,
} from './fixtures';
import type { Page } from 'playwright-core';

describe('the talk loop: speak in the side panel, hear the teacher answer', () => {
  let stage: Stage;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stage = await setUpStage();
    browser = await launch({ micFile: stage.mic });
    page = await browser.openPanel();
  });

  afterAll(async () => {
    await browser?.close();
    await stage?.close();
  });

  it('asks for a key first, then opens with the teacher’s spoken question', async () => {
    await page.locator('.banner').waitFor();
    expect(await page.locator('.banner').textContent()).toContain('Add your API key in Settings');

    await connectToStage(page, stage);

    const opening = page.locator('.message-assistant').first();
    await opening.locator('text=What did you do last weekend').waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle');
    const chat = teacherChats(stage.standin)[0];
    expect(chat?.valid).toBe(true);
    expect(chat?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'system' }] });
    const { messages } = await readDatabase(page);
    expect(messages).toHaveLength(1);
    // Spoken by the companion (first audio played), not by the browser's fallback voice.
    expect(messages[0]?.timings.firstAudioAt).toBeGreaterThan(0);
    expect(await page.locator('.banner').count()).toBe(0);
  });

  it('hears what the learner said, and the teacher corrects it', async () => {
    await stage.say('park');
    await talk(page, () => talkButton(page).click());

    const upload = await waitUntil(() => stage.standin.requests.find((r) => r.endpoint === 'transcriptions'));
    expect(upload.valid).toBe(true);
    expect(upload.file).toMatchObject({ filename: 'recording.webm', contentType: 'audio/webm' });
    expect(upload.fields).toMatchObject({ model: 'whisper-1', language: 'en' });
    // The stand-in really recognised the audio among the candidate sentences.
    await waitUntil(() => upload.transcript !== undefined);
    expect(upload.transcript).toBe(SENTENCES.park);

    await page.locator('.message-user', { hasText: SENTENCES.park }).waitFor();
    // The learner's first words name the conversation.
    await page.locator('.conversation-title', { hasText: 'Yesterday I go to the park' }).waitFor();
    const reply = page.locator('.message-assistant').nth(1);
    await reply.locator('text=went').waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle', 40_000);
  });

  it('takes a second turn from the keyboard shortcut, and the teacher remembers the first', async () => {
    await stage.say('books');
    await talk(page, () => browser.pressShortcut());
    await page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle', 40_000);

    const chats = teacherChats(stage.standin);
    expect(chats).toHaveLength(3);
    const last = chats[2]?.body as { messages: Array<{ role: string; content: string }> };
    // The whole conversation goes with every request: the opening, turn one, its reply, turn two.
    expect(last.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user', 'assistant', 'user']);
    expect(last.messages[2]?.content).toBe(SENTENCES.park);
    expect(last.messages[4]?.content).toBe(SENTENCES.books);
    expect(await page.locator('.message-assistant').nth(2).textContent()).toContain('Earlier you told me');

    const db = await readDatabase(page);
    expect(db.messages.map((m) => [m.role, m.status])).toEqual([
      ['assistant', 'done'],
      ['user', 'done'],
      ['assistant', 'done'],
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    // Each learner turn keeps its recording, saved before it was uploaded.
    expect(db.recordings).toHaveLength(2);
    for (const recording of db.recordings) {
      expect(recording.mimeType).toContain('audio/webm');
      expect(recording.size).toBeGreaterThan(4_000);
    }
    // Per-turn timings, on demand under the reply.
    const timings = page.locator('.message-assistant').nth(2).locator('details.timings');
    await timings.locator('summary', { hasText: 'Timings' }).click();
    for (const step of ['Upload sent', 'Transcript', 'First token', 'First sentence', 'First audio']) {
      await timings.locator('dt', { hasText: step }).waitFor();
    }

    const turn = db.messages[4]!.timings;
    const firstAudio = turn.firstAudioAt! - turn.stopPressedAt!;
    expect(firstAudio).toBeGreaterThan(0);
    console.info(`second press → first audio: ${Math.round(firstAudio)} ms (fast stand-in profile)`);
  });

  it('still has the conversation after the browser restarts, and can start, open and delete others', async () => {
    const profile = browser.userDataDir;
    await browser.close({ keepProfile: true });
    browser = await launch({ micFile: stage.mic, userDataDir: profile });
    page = await browser.openPanel();

    await page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 15_000 });
    expect(await page.locator('.message').count()).toBe(5);

    await page.getByRole('button', { name: 'New conversation' }).click();
    // A fresh conversation: only the teacher's opening question.
    await page.locator('.conversation-title', { hasText: 'New conversation' }).waitFor();
    await waitUntil(async () => (await page.locator('.message').count()) === 1, 20_000);
    await page
      .locator('.message-assistant')
      .first()
      .locator('text=What did you do last weekend')
      .waitFor({ timeout: 20_000 });

    await page.getByRole('button', { name: 'History' }).click();
    const old = page.getByRole('button', { name: /^Yesterday I go to the park/ });
    await old.click();
    await page.locator('.message-user', { hasText: SENTENCES.park }).waitFor();

    await page.getByRole('button', { name: 'History' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: /Delete “Yesterday I go to the park/ }).click();
    await waitUntil(async () => (await readDatabase(page)).conversations.length === 1);
    const db = await readDatabase(page);
    expect(db.recordings).toHaveLength(0);
  });
});
