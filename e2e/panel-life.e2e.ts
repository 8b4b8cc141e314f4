import { beforeAll, describe, expect, it } from 'vitest';
import { readDatabase } from './harness';
import { SENTENCES, bannerText, talkButton, transcriptions, usePanel, waitForPhase, waitUntil } from './fixtures';
import { attachToOffscreen, instrument, microphoneState, type Evaluator } from './offscreen-probe';

/**
 * The microphone and the voice live and die with the panel: closing it mid-recording releases
 * the microphone at once and keeps what was said as an unsent turn; a second panel (another
 * window's) is told the microphone is busy instead of sharing it.
 */
describe('the panel’s life and the microphone', () => {
  const t = usePanel({ connect: 'heard' });
  let offscreen: Evaluator;

  beforeAll(async () => {
    // The opening question was spoken, so the offscreen document exists: watch its microphone.
    // (Through a page of its own: the panel's page is closed in these tests, and its session with it.)
    offscreen = await attachToOffscreen(await t.browser.context.newPage());
    await instrument(offscreen);
  });

  it('closing the panel mid-recording releases the microphone within a second; the reopened panel offers the turn back', async () => {
    await t.stage.say('park');
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'recording');
    expect((await microphoneState(offscreen)).liveTracks).toBe(1);
    await t.page.waitForTimeout(3_800); // the learner says the whole sentence

    const closedAt = Date.now();
    await t.page.close();
    const releasedAfter = await waitUntil(async () => {
      const state = await microphoneState(offscreen);
      return state.liveTracks === 0 ? Date.now() - closedAt : 0;
    }, 5_000);
    console.info(`microphone released ${releasedAfter} ms after the panel closed`);
    expect(releasedAfter).toBeLessThanOrEqual(1_000);

    t.page = await t.browser.openPanel();
    const unsent = t.page.locator('.message-user[data-status="unsent"]');
    await unsent.waitFor({ timeout: 10_000 });
    expect(await bannerText(t.page, 'info')).toContain('was not sent');
    // Nothing was sent without the learner.
    expect(transcriptions(t.stage.standin)).toHaveLength(0);

    await unsent.getByRole('button', { name: 'Send' }).click();
    await t.page.locator('.message-user', { hasText: SENTENCES.park }).waitFor({ timeout: 20_000 });
    await t.page.locator('.message-assistant').nth(1).locator('text=went').waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);
    const { messages, recordings } = await readDatabase(t.page);
    expect(messages.map((m) => m.status)).toEqual(['done', 'done', 'done']);
    // Every recording kept belongs to a turn.
    expect(recordings.every((r) => messages.some((m) => m.recordingId === r.id))).toBe(true);
  });

  it('a panel closed before anything was said leaves no recording and no unsent turn', async () => {
    await t.stage.say('silence');
    const before = await readDatabase(t.page);
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'recording');
    await t.page.waitForTimeout(1_500);
    await t.page.close();
    await waitUntil(async () => (await microphoneState(offscreen)).liveTracks === 0, 5_000);

    t.page = await t.browser.openPanel();
    await waitForPhase(t.page, 'idle');
    const after = await readDatabase(t.page);
    expect(after.recordings).toHaveLength(before.recordings.length);
    expect(after.messages.filter((m) => m.status === 'unsent')).toHaveLength(0);
    expect(await t.page.locator('.message-user[data-status="unsent"]').count()).toBe(0);
  });

  it('a second panel is told the microphone is busy while the first records, and the first keeps its turn', async () => {
    await t.stage.say('books');
    const second = await t.browser.openPanel();
    await waitForPhase(second, 'idle');
    await talkButton(t.page).click();
    await waitForPhase(t.page, 'recording');

    await talkButton(second).click();
    expect(await bannerText(second, 'error')).toContain('busy in another window');
    expect(await waitForPhase(second, 'idle')).toBe('idle');
    expect((await microphoneState(offscreen)).liveTracks).toBe(1);

    await t.page.waitForTimeout(3_500);
    await talkButton(t.page).click();
    await t.page.locator('.message-user', { hasText: SENTENCES.books }).waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);
    await second.close();
  });
});
