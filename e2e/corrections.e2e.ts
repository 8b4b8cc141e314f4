import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { correctionsLaneOf, isCorrectionsRequest } from '../script/bench/corrections.ts';
import { readDatabase } from './harness';
import {
  SENTENCES,
  changeSettings,
  shoot,
  talk,
  talkButton,
  teacherChats,
  usePanel,
  waitForPhase,
  waitUntil,
} from './fixtures';

/**
 * The corrections lane through the real panel: the card under the learner's sentence, the
 * fallback for servers without json_schema, the notebook, "Say it again", the session card —
 * and the spoken reply not waiting for any of it.
 *
 * With SCREENSHOTS_DIR=docs/screenshots it also saves the card, the notebook and a drill (see `shoot`).
 */

const CORRECTED = 'Yesterday I went to the park with my friend.';

describe('corrections you can see, beside a reply that does not wait for them', () => {
  const t = usePanel({ sentences: { corrected: CORRECTED }, viewport: { width: 440, height: 860 }, connect: 'heard' });

  const lastCard = () => t.page.locator('.correction-slot').last();

  /** One learner turn saying the park sentence; resolves once its card is there (checking or not). */
  async function sayPark(): Promise<number> {
    await waitForPhase(t.page, 'idle', 40_000);
    const cards = await t.page.locator('.correction-slot').count();
    const since = Date.now();
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());
    await waitUntil(async () => (await t.page.locator('.correction-slot').count()) > cards, 30_000);
    return since;
  }

  const chooseExplanations = (label: 'English' | '简体中文') =>
    changeSettings(t.page, () => t.page.getByLabel('Explanations in').selectOption({ label }));

  beforeAll(async () => {
    await chooseExplanations('English');
  });

  it('speaks the reply first while a slow check runs, then shows the card under the sentence with the diff and the reason', async () => {
    t.stage.standin.control.setLatency({ correctionsMs: 5_000 });
    await sayPark();
    // The teacher is heard while the card still says it is checking.
    await waitForPhase(t.page, 'speaking', 30_000);
    await t.page.locator('.message-user + .correction-slot .correction-checking').waitFor();
    const card = t.page.locator('.message-user + .correction-slot .correction-card:not(.correction-checking)');
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator('.sentence-diff del').allTextContents()).toEqual(['removed: go']);
    expect(await card.locator('.sentence-diff ins').allTextContents()).toEqual(['added: went']);
    expect(await card.locator('.correction-explanation').textContent()).toContain('use the past tense');
    // The natural version is the corrected sentence here, so it is not repeated.
    expect(await card.locator('.correction-natural').count()).toBe(0);

    const db = await readDatabase(t.page);
    const learner = db.messages.find((m) => m.role === 'user')!;
    const reply = db.messages.at(-1)!;
    const firstAudio = reply.timings.firstAudioAt! - reply.timings.stopPressedAt!;
    const cardShown = learner.timings.checkedAt! - learner.timings.stopPressedAt!;
    console.info(
      `second press → first audio ${Math.round(firstAudio)} ms; → card ${Math.round(cardShown)} ms (corrections 5 s slower)`,
    );
    expect(firstAudio).toBeLessThan(cardShown - 2_000);
    // The lane began right after the teacher was asked, not after the reply.
    expect(learner.timings.checkStartedAt! - learner.timings.transcriptAt!).toBeLessThan(1_000);
    const lane = t.stage.standin.requests.filter(isCorrectionsRequest);
    expect(lane).toHaveLength(1);
    expect(lane[0]?.valid).toBe(true);
    expect(lane[0]?.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { strict: true } } });
    t.stage.standin.control.setLatency({ correctionsMs: 0 });
    await waitForPhase(t.page, 'idle', 40_000);
    await shoot(t.page, 'correction-card');
  });

  it('explains in 简体中文 when chosen', async () => {
    await chooseExplanations('简体中文');
    await sayPark();
    await lastCard().locator('.correction-explanation').waitFor({ timeout: 20_000 });
    expect(await lastCard().locator('.correction-explanation').textContent()).toMatch(/过去式.*“go”要改成“went”/);
    const request = t.stage.standin.requests.filter(isCorrectionsRequest).at(-1);
    expect(JSON.stringify(request?.body)).toContain('简体中文');
    await waitForPhase(t.page, 'idle', 40_000);
    await chooseExplanations('English');
  });

  it('still shows the card from a server without json_schema, then without json_object, and remembers what works', async () => {
    const modes = async () => {
      const stored = await t.page.evaluate(() => chrome.storage.local.get('structuredSupport'));
      return Object.values((stored.structuredSupport ?? {}) as Record<string, { mode: string }>).map((e) => e.mode);
    };
    const formats = (since: number) =>
      t.stage.standin.requests
        .filter((r) => r.receivedAt >= since && isCorrectionsRequest(r))
        .map(
          (r) => `${(r.body as { response_format?: { type: string } }).response_format?.type ?? 'plain'} ${r.status}`,
        );

    t.stage.standin.control.setStructuredOutputs('json_object');
    let since = await sayPark();
    await waitUntil(() => correctionsLaneOf(t.stage.standin.requests, since)?.answered, 20_000);
    await lastCard().locator('.sentence-diff ins', { hasText: 'went' }).waitFor({ timeout: 20_000 });
    expect(formats(since)).toEqual(['json_schema 400', 'json_object 200']);
    expect(await modes()).toEqual(['json_object']);
    await waitForPhase(t.page, 'idle', 40_000);

    // Remembered: the next sentence goes straight to json_object.
    since = await sayPark();
    await waitUntil(() => correctionsLaneOf(t.stage.standin.requests, since)?.answered, 20_000);
    expect(formats(since)).toEqual(['json_object 200']);
    await waitForPhase(t.page, 'idle', 40_000);

    t.stage.standin.control.setStructuredOutputs('none');
    since = await sayPark();
    await waitUntil(() => correctionsLaneOf(t.stage.standin.requests, since)?.answered, 20_000);
    await lastCard().locator('.sentence-diff ins', { hasText: 'went' }).waitFor({ timeout: 20_000 });
    expect(formats(since)).toEqual(['json_object 400', 'plain 200']);
    expect(await modes()).toEqual(['plain']);
    await waitForPhase(t.page, 'idle', 40_000);
    t.stage.standin.control.setStructuredOutputs('json_schema');
  });

  it('"Say it again" on the card judges the repetition word by word, with no teacher turn', async () => {
    const chats = teacherChats(t.stage.standin).length;
    const lane = t.stage.standin.requests.filter(isCorrectionsRequest).length;
    const messages = (await readDatabase(t.page)).messages.length;
    await t.stage.say('corrected');
    const card = lastCard();
    await card.getByRole('button', { name: 'Say it again' }).click();
    await card.locator('.say-again-target', { hasText: CORRECTED }).waitFor();
    await waitForPhase(t.page, 'recording');
    await t.page.waitForTimeout(3_800);
    await shoot(t.page, 'drill-recording');
    await card.getByRole('button', { name: 'Stop' }).click();
    // One result: every word heard, and how each of the nine was said (judged on this computer).
    await card.getByRole('status').filter({ hasText: 'Every word right' }).waitFor({ timeout: 20_000 });
    await card
      .getByRole('status')
      .filter({ hasText: /Pronunciation: \d+ \/ 100/ })
      .waitFor();
    expect(await card.locator('.pronunciation-words .pron-word').count()).toBe(9);
    await waitForPhase(t.page, 'idle');
    await shoot(t.page, 'drill-result');
    // Judged locally: no chat request of either lane, nothing added to the conversation.
    expect(teacherChats(t.stage.standin)).toHaveLength(chats);
    expect(t.stage.standin.requests.filter(isCorrectionsRequest)).toHaveLength(lane);
    const db = await readDatabase(t.page);
    expect(db.messages).toHaveLength(messages);
    // The attempt's audio is not kept.
    expect(db.recordings).toHaveLength(db.messages.filter((m) => m.role === 'user').length);
  });

  it('the notebook lists the corrections, newest first, with their reviews, a search and a CSV export', async () => {
    await t.page.getByRole('button', { name: 'Notebook' }).click();
    // The Corrections tab's entries (the Sounds tab beside it lists sounds the same way).
    const entries = t.page.locator('#notebook-panel-corrections .notebook-entry');
    await entries.first().waitFor();
    // One per checked sentence: the park sentence five times.
    expect(await entries.count()).toBe(5);
    expect(await entries.first().locator('.correction-change').textContent()).toContain('went');
    expect(await entries.first().textContent()).toContain('Last time: every word right');
    expect(await t.page.locator('.notebook-due').textContent()).toMatch(/to review today/);
    await t.page.getByLabel('Search').fill('dumplings');
    await t.page.locator('.notebook .empty', { hasText: 'Nothing matches' }).waitFor();
    await t.page.getByLabel('Search').fill('park');
    await entries.first().waitFor();
    await shoot(t.page, 'notebook');
    const download = t.page.waitForEvent('download');
    await t.page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^aitalk-notebook-\d{4}-\d{2}-\d{2}\.csv$/);
    const saved = path.join(t.stage.dir, 'notebook.csv');
    await file.saveAs(saved);
    const { readFile } = await import('node:fs/promises');
    const csv = await readFile(saved, 'utf8');
    expect(csv.split('\r\n')[0]).toContain('Date,Kind,You said,Mistake,Correction');
    expect(csv).toContain(SENTENCES.park);
    await t.page.getByRole('button', { name: 'Notebook' }).click();
  });

  it('Summary shows the session: its corrections and fluency from word timestamps', async () => {
    await t.page.getByRole('button', { name: 'Summary' }).click();
    const session = t.page.locator('.session-card');
    await session.waitFor();
    // Brought into view, above a conversation that was scrolled to its end.
    await waitUntil(async () => {
      const heading = await session.locator('h2').boundingBox();
      return heading !== null && heading.y >= 0 && heading.y < 860;
    }, 5_000);
    expect(await session.locator('.session-corrections > li').count()).toBe(5);
    expect(await session.locator('.session-fluency').textContent()).toContain('From the timing of each word');
    await shoot(t.page, 'session-card');
    await session.getByRole('button', { name: 'Close' }).click();
    await session.waitFor({ state: 'detached' });
  });
});
