import { describe, expect, it } from 'vitest';
import { readDatabase } from './harness';
import {
  SENTENCES,
  connectToStage,
  openingHeard,
  talk,
  talkButton,
  teacherChats,
  transcriptions,
  usePanel,
  waitForPhase,
  waitUntil,
  withBody,
} from './fixtures';

describe('the talk loop: speak in the side panel, hear the teacher answer', () => {
  const t = usePanel();

  it('asks for a key first, then opens with the teacher’s spoken question', async () => {
    await t.page.locator('.banner').waitFor();
    expect(await t.page.locator('.banner').textContent()).toContain('Add your API key in Settings');

    await connectToStage(t.page, t.stage);

    await openingHeard(t.page);
    const chat = teacherChats(t.stage.standin)[0];
    expect(chat?.valid).toBe(true);
    expect(chat?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'system' }] });
    const { messages } = await readDatabase(t.page);
    expect(messages).toHaveLength(1);
    // Spoken by the companion (first audio played), not by the browser's fallback voice.
    expect(messages[0]?.timings.firstAudioAt).toBeGreaterThan(0);
    expect(await t.page.locator('.banner').count()).toBe(0);
  });

  it('hears what the learner said, and the teacher corrects it', async () => {
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());

    const upload = await waitUntil(() => withBody(transcriptions(t.stage.standin)[0]));
    expect(upload.valid).toBe(true);
    expect(upload.file).toMatchObject({ filename: 'recording.webm', contentType: 'audio/webm' });
    expect(upload.fields).toMatchObject({ model: 'whisper-1', language: 'en' });
    // The stand-in really recognised the audio among the candidate sentences.
    await waitUntil(() => upload.transcript !== undefined);
    expect(upload.transcript).toBe(SENTENCES.park);

    await t.page.locator('.message-user', { hasText: SENTENCES.park }).waitFor();
    // The learner's first words name the conversation.
    await t.page.locator('.conversation-title', { hasText: 'Yesterday I go to the park' }).waitFor();
    const reply = t.page.locator('.message-assistant').nth(1);
    await reply.locator('text=went').waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);
  });

  it('takes a second turn from the keyboard shortcut, and the teacher remembers the first', async () => {
    await t.stage.say('books');
    await talk(t.page, () => t.browser.pressShortcut());
    await t.page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);

    const chats = teacherChats(t.stage.standin);
    expect(chats).toHaveLength(3);
    const last = chats[2]?.body as { messages: Array<{ role: string; content: string }> };
    // The whole conversation goes with every request: the opening, turn one, its reply, turn two.
    expect(last.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user', 'assistant', 'user']);
    expect(last.messages[2]?.content).toBe(SENTENCES.park);
    expect(last.messages[4]?.content).toBe(SENTENCES.books);
    expect(await t.page.locator('.message-assistant').nth(2).textContent()).toContain('Earlier you told me');

    const db = await readDatabase(t.page);
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
    const timings = t.page.locator('.message-assistant').nth(2).locator('details.timings');
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
    await t.restart();

    await t.page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 15_000 });
    expect(await t.page.locator('.message').count()).toBe(5);

    await t.page.getByRole('button', { name: 'New conversation' }).click();
    // A fresh conversation: only the teacher's opening question.
    await t.page.locator('.conversation-title', { hasText: 'New conversation' }).waitFor();
    await waitUntil(async () => (await t.page.locator('.message').count()) === 1, 20_000);
    await t.page
      .locator('.message-assistant')
      .first()
      .locator('text=What did you do last weekend')
      .waitFor({ timeout: 20_000 });

    await t.page.getByRole('button', { name: 'History' }).click();
    const old = t.page.getByRole('button', { name: /^Yesterday I go to the park/ });
    await old.click();
    await t.page.locator('.message-user', { hasText: SENTENCES.park }).waitFor();

    await t.page.getByRole('button', { name: 'History' }).click();
    t.page.once('dialog', (dialog) => void dialog.accept());
    await t.page.getByRole('button', { name: /Delete “Yesterday I go to the park/ }).click();
    await waitUntil(async () => (await readDatabase(t.page)).conversations.length === 1);
    const db = await readDatabase(t.page);
    expect(db.recordings).toHaveLength(0);
  });
});
