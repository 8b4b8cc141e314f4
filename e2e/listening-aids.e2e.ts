import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { speechEvents, tapSpeechEvents, type SeenSpeechEvent } from './harness';
import { SENTENCES, changeSettings, talk, talkButton, usePanel, waitForPhase, waitUntil } from './fixtures';

/** How long the first sentence of a replay took to play, from the offscreen voice's own events. */
async function firstSentenceMs(page: Page, turnId: string): Promise<number> {
  const events = await waitUntil(async () => {
    const all = (await speechEvents(page)).filter((e) => e.turnId === turnId);
    return all.some((e) => e.type === 'finished') ? all : null;
  }, 40_000);
  const at = (type: SeenSpeechEvent['type']) => events.find((e) => e.type === type && 'seq' in e && e.seq === 0);
  const started = at('started');
  const ended = at('ended');
  if (!started || !ended || !('at' in started) || !('at' in ended))
    throw new Error(`no first sentence in ${JSON.stringify(events)}`);
  return ended.at - started.at;
}

async function replayIds(page: Page): Promise<string[]> {
  return [...new Set((await speechEvents(page)).map((e) => e.turnId).filter((id) => id.startsWith('replay-')))];
}

describe('listening aids: hear it again, slower, your own voice, text after listening', () => {
  const t = usePanel({
    // Every play() in the panel, so the learner's own recording can be seen to play.
    initScripts: [
      () => {
        const plays: string[] = [];
        (window as unknown as { plays: string[] }).plays = plays;
        const play = HTMLMediaElement.prototype.play;
        HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
          plays.push(this.src);
          return play.call(this);
        };
      },
    ],
    connect: 'heard',
  });

  it('says a teacher reply again through the companion, and slower on demand', async () => {
    await tapSpeechEvents(t.page);
    const opening = t.page.locator('.message-assistant').first();
    await opening.getByRole('button', { name: 'Listen again' }).click();
    const [normal] = await waitUntil(async () => ((await replayIds(t.page)).length === 1 ? replayIds(t.page) : null));
    const normalMs = await firstSentenceMs(t.page, normal ?? '');
    await opening.getByRole('button', { name: 'Listen slowly' }).click();
    const slow = await waitUntil(async () => (await replayIds(t.page)).find((id) => id !== normal));
    const slowMs = await firstSentenceMs(t.page, slow);
    expect(slowMs).toBeGreaterThan(normalMs * 1.15);
    // A replay is not a turn: the Talk bar stayed ready throughout.
    await waitForPhase(t.page, 'idle');
  });

  it('plays the learner’s own recording of a turn', async () => {
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());
    const mine = t.page.locator('.message-user', { hasText: SENTENCES.park });
    await mine.waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);
    await mine.getByRole('button', { name: 'Hear my recording' }).click();
    const played = await waitUntil(() =>
      t.page.evaluate(() => (window as unknown as { plays: string[] }).plays.find((src) => src.startsWith('blob:'))),
    );
    expect(played).toMatch(/^blob:chrome-extension:/);
    expect(await mine.locator('[role=alert]').count()).toBe(0);
  });

  it('hides the teacher’s text until it has been heard, when the learner asks for listening practice', async () => {
    await changeSettings(t.page, () => t.page.getByLabel('Hide the teacher’s text until heard').check());

    await t.stage.say('books');
    await talk(t.page, () => talkButton(t.page).click());
    await waitForPhase(t.page, 'speaking', 40_000);
    const reply = t.page.locator('.message-assistant').last();
    expect(await reply.locator('.message-hidden').innerText()).toBe('Text hidden until you have heard it.');
    await waitForPhase(t.page, 'idle', 40_000);
    expect(await reply.locator('.message-hidden').count()).toBe(0);
    expect((await reply.locator('.message-text').innerText()).length).toBeGreaterThan(20);
  });
});
