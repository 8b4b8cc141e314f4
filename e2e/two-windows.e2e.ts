import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readDatabase } from './harness';
import { SENTENCES, talk, talkButton, teacherChats, usePanel, waitForPhase } from './fixtures';

/**
 * One conversation open in two windows' panels (two tabs of the panel's page here): a panel that
 * opens while the other runs a turn leaves that turn alone — no "failed" with a false Retry, no
 * reply cut to "interrupted" — and each panel shows what the other writes as it is written.
 */
describe('one conversation in two windows', () => {
  const on = usePanel({ connect: 'heard' });

  /** How long after `shownIn` showed `selector` the other panel showed it too (fails after 1 s). */
  async function lag(shownIn: Page, other: Page, selector: string): Promise<number> {
    await shownIn.locator(selector).first().waitFor({ timeout: 30_000 });
    const shownAt = Date.now();
    await other.locator(selector).first().waitFor({ timeout: 1_000 });
    return Date.now() - shownAt;
  }

  it('a panel opened mid-turn leaves the turn to the other, shows it as it is written, and the reply is stored whole', async () => {
    const { stage, browser, page: a } = on;
    // A slow server, so that the second panel opens while the first one's turn is still going.
    stage.standin.control.setLatency({ transcriptionMs: 4_000, firstTokenMs: 300, tokensPerSecond: 8 });
    await stage.say('park');
    await talk(a, () => talkButton(a).click());
    await waitForPhase(a, 'transcribing');

    const b = await browser.openPanel();
    await b.locator('.message-user[data-status="transcribing"]').waitFor({ timeout: 10_000 });
    const transcriptLag = await lag(a, b, `.message-user[data-status="done"]:has-text("${SENTENCES.park}")`);

    // A third window opens while the reply streams: it shows it streaming, not interrupted.
    await a.locator('.message-assistant[data-status="streaming"]').waitFor({ timeout: 20_000 });
    const c = await browser.openPanel();
    await c.locator('.message-assistant[data-status="streaming"]').waitFor({ timeout: 10_000 });
    expect(await c.locator('.message-assistant[data-status="interrupted"]').count()).toBe(0);

    const replyLag = await lag(a, b, '.message-assistant[data-status="done"] >> nth=1');
    await waitForPhase(a, 'idle', 40_000);
    const reply = teacherChats(stage.standin).at(-1)?.reply ?? '';
    const { messages } = await readDatabase(a);
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['assistant', 'done'],
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    expect(messages[2]?.text.trim()).toBe(reply.trim());
    for (const panel of [a, b, c]) {
      expect(await panel.locator('.message-assistant .message-text').nth(1).textContent()).toBe(reply.trim());
    }
    expect(await b.locator('.message-failed').count()).toBe(0);
    console.info(`the other panel showed the transcript ${transcriptLag} ms and the whole reply ${replyLag} ms after`);
    await c.close();

    // The learner goes on in the second window; the first shows that turn too.
    stage.standin.control.setLatency({ transcriptionMs: 0, firstTokenMs: 0, tokensPerSecond: 2_000 });
    await stage.say('books');
    await talk(b, () => talkButton(b).click());
    const backLag = await lag(b, a, `.message-user[data-status="done"]:has-text("${SENTENCES.books}")`);
    await waitForPhase(b, 'idle', 40_000);
    await lag(b, a, '.message-assistant[data-status="done"] >> nth=2');
    console.info(`the first panel showed the second's transcript ${backLag} ms after`);
    const after = await readDatabase(a);
    expect(after.messages.map((m) => m.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    await b.close();
  });
});
