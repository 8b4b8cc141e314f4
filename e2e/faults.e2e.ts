import { createServer } from 'node:net';
import path from 'node:path';
import { startCompanion } from '../companion-server/src/server.ts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launch, readDatabase, type Browser } from './harness';
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
  type Stage,
  connectToStage,
} from './fixtures';

/** A port nothing listens on: what a stopped server looks like. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('bad input and faults: a clear message, and nothing lost', () => {
  let stage: Stage;
  let browser: Browser;
  let page: Page;
  const press = () => talkButton(page).click();
  const transcriptions = () => stage.standin.requests.filter((r) => r.endpoint === 'transcriptions');

  beforeAll(async () => {
    stage = await setUpStage();
    browser = await launch({ micFile: stage.mic });
    page = await browser.openPanel();
    await page.locator('.banner').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stage?.close();
  });

  beforeEach(async () => {
    // Each case starts from a quiet panel, whatever the case before it left behind.
    await waitForPhase(page, 'idle', 60_000);
    await dismissBanner(page);
    stage.standin.control.reset();
    await stage.say('park');
  });

  it('without a key, Talk says to add one and records nothing', async () => {
    await press();
    expect(await bannerText(page)).toContain('Add your API key in Settings');
    expect(await page.getByRole('button', { name: 'Open settings' }).count()).toBe(1);
    await waitForPhase(page, 'idle');
    expect(stage.standin.requests).toHaveLength(0);
  });

  it('a rejected key (401) is named as such; the turn is kept and Retry sends it again', async () => {
    await configure(page, { apiKey: 'sk-wrong', apiBaseUrl: stage.standin.url, companionUrl: stage.companion.url });
    // The teacher's opening question fails with the wrong key.
    expect(await bannerText(page, 'error')).toContain('rejected your API key (401)');
    await dismissBanner(page);
    await configure(page, { apiKey: stage.standin.apiKey });
    stage.standin.control.reset();
    stage.standin.control.failNext({ kind: 'invalid-key', endpoint: 'transcriptions' });
    await talk(page, press);
    expect(await bannerText(page, 'error')).toContain('rejected your API key (401)');
    const failed = page.locator('.message-user[data-status=failed]');
    await failed.waitFor();
    const db = await readDatabase(page);
    const kept = db.messages.find((m) => m.role === 'user');
    expect(kept?.status).toBe('failed');
    expect(db.recordings.map((r) => r.id)).toContain(kept?.recordingId);

    await failed.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.message-user[data-status=done]', { hasText: SENTENCES.park }).waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle', 30_000);
    expect(transcriptions()).toHaveLength(2);
  });

  it('an exhausted quota says so and is not retried', async () => {
    stage.standin.control.failNext({ kind: 'insufficient-quota', endpoint: 'transcriptions', count: 5 });
    await talk(page, press);
    expect(await bannerText(page, 'error')).toContain('run out of credit');
    await waitForPhase(page, 'idle');
    await page.waitForTimeout(1_500);
    expect(transcriptions()).toHaveLength(1);
  });

  it('a rate limit is retried with backoff until it goes through', async () => {
    stage.standin.control.failNext({
      kind: 'rate-limit',
      endpoint: 'chat',
      count: 2,
      retryAfterMs: 300,
      streamed: true,
    });
    await talk(page, press);
    await page
      .locator('.message-user[data-status=done]', { hasText: SENTENCES.park })
      .last()
      .waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle', 30_000);
    const chats = teacherChats(stage.standin);
    expect(chats.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(await page.locator('.message-assistant').last().getAttribute('data-status')).toBe('done');
  });

  it('a server error that persists is reported with its status, and Retry recovers', async () => {
    stage.standin.control.failNext({ kind: 'server-error', endpoint: 'transcriptions', count: 4 });
    await talk(page, press);
    expect(await bannerText(page, 'error')).toMatch(/had a problem on its side \(500\)/);
    expect(transcriptions()).toHaveLength(4);
    await page.locator('.banner').getByRole('button', { name: 'Retry' }).click();
    await waitForPhase(page, 'idle', 30_000);
    expect(await page.locator('.message-user').last().getAttribute('data-status')).toBe('done');
  });

  it('a network that is down names the host to check', async () => {
    const port = await closedPort();
    await configure(page, { apiBaseUrl: `http://127.0.0.1:${port}/v1` });
    await talk(page, press);
    expect(await bannerText(page, 'error')).toContain(`Cannot reach 127.0.0.1:${port}`);
    await waitForPhase(page, 'idle');
    await configure(page, { apiBaseUrl: stage.standin.url });
  });

  it('a base URL that is a web page, not an API, is called out', async () => {
    stage.standin.control.failNext({ kind: 'html', endpoint: 'transcriptions' });
    await talk(page, press);
    expect(await bannerText(page, 'error')).toContain('does not answer like an OpenAI-compatible API');
  });

  it('a silent recording is not sent: the panel says nothing was heard', async () => {
    await stage.say('silence');
    const kept = (await readDatabase(page)).recordings.length;
    await talk(page, press, 1_500);
    expect(await bannerText(page, 'info')).toContain('didn’t hear anything');
    await waitForPhase(page, 'idle');
    expect(transcriptions()).toHaveLength(0);
    // No audio of an empty room is kept either.
    expect((await readDatabase(page)).recordings).toHaveLength(kept);
  });

  it('reaches a companion started with a token, once the token is in Settings', async () => {
    const guarded = await startCompanion({
      port: 0,
      token: 'room-42-token',
      cacheDir: path.join(stage.dir, 'guarded-cache'),
      log: () => undefined,
    });
    try {
      await configure(page, { companionUrl: guarded.url, companionToken: '' });
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.locator('.settings-status', { hasText: 'Voice:' }).waitFor();
      expect(await page.locator('.settings-status').textContent()).toContain('wants a token');
      await page.getByRole('button', { name: 'Settings', exact: true }).click();

      await configure(page, { companionToken: 'room-42-token' });
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.locator('.settings-status', { hasText: 'Voice:' }).waitFor();
      const report = await page.locator('.settings-status').textContent();
      expect(report).toContain('Chat: Key accepted');
      expect(report).toContain('The voice server answers');
      await page.getByRole('button', { name: 'Settings', exact: true }).click();

      const before = (await readDatabase(page)).messages.length;
      await talk(page, press);
      await waitForPhase(page, 'idle', 40_000);
      const reply = (await readDatabase(page)).messages.slice(before).find((m) => m.role === 'assistant');
      expect(reply?.status).toBe('done');
      // Spoken by the guarded companion, not by the browser's fallback voice.
      expect(reply?.timings.firstAudioAt).toBeGreaterThan(0);
      expect(await page.locator('.banner').count()).toBe(0);
    } finally {
      await configure(page, { companionUrl: stage.companion.url, companionToken: '' });
      await guarded.close();
    }
  });

  it('a press while the last turn is being transcribed does not start another', async () => {
    stage.standin.control.setLatency({ transcriptionMs: 2_500 });
    await talk(page, press);
    await waitForPhase(page, 'transcribing');
    await press();
    expect(await bannerText(page, 'info')).toContain('Still working on your last turn');
    await waitForPhase(page, 'idle', 30_000);
    expect(transcriptions()).toHaveLength(1);
  });

  it('the turn survives the service worker being stopped in the middle of it', async () => {
    stage.standin.control.setLatency({ transcriptionMs: 2_500 });
    const before = (await readDatabase(page)).messages.length;
    await talk(page, press);
    await waitForPhase(page, 'transcribing');
    await browser.stopServiceWorker();
    await waitForPhase(page, 'idle', 30_000);
    const db = await readDatabase(page);
    expect(db.messages.slice(before).map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    // And the next press still works, with a fresh worker.
    await talk(page, () => browser.pressShortcut());
    await waitForPhase(page, 'idle', 30_000);
    expect((await readDatabase(page)).messages.length).toBe(before + 4);
  });

  it('with the companion down, the reply is still shown and read by the browser, with how to start it', async () => {
    const port = await closedPort();
    await configure(page, { companionUrl: `http://127.0.0.1:${port}` });
    await talk(page, press);
    const text = await bannerText(page, 'info');
    expect(text).toContain('voice server is not running');
    expect(text).toContain('npm run companion');
    await waitForPhase(page, 'idle', 40_000);
    expect(await page.locator('.message-assistant').last().getAttribute('data-status')).toBe('done');
    await configure(page, { companionUrl: stage.companion.url });
  });
});

describe('the microphone, the first time', () => {
  /** A fresh browser whose microphone permission is `microphone`, with the panel set up and idle. */
  async function withFreshBrowser(
    microphone: 'ask' | 'deny',
    run: (context: { stage: Stage; browser: Browser; page: Page }) => Promise<void>,
  ): Promise<void> {
    const stage = await setUpStage();
    const browser = await launch({ micFile: stage.mic, microphone });
    try {
      const page = await browser.openPanel();
      await connectToStage(page, stage);
      await waitForPhase(page, 'idle', 30_000);
      await run({ stage, browser, page });
    } finally {
      await browser.close();
      await stage.close();
    }
  }

  it('opens a page that explains why the microphone is needed and asks for it', async () => {
    await withFreshBrowser('ask', async ({ browser, page }) => {
      const opened = browser.context.waitForEvent('page');
      await talkButton(page).click();
      const permissionPage = await opened;
      await permissionPage.waitForLoadState();
      expect(permissionPage.url()).toBe(`chrome-extension://${browser.extensionId}/permission.html`);
      expect(await permissionPage.getByRole('button', { name: 'Allow microphone' }).count()).toBe(1);
      expect(await permissionPage.locator('body').textContent()).toMatch(/hear you/i);
      expect(await bannerText(page, 'info')).toContain('Allow it in the tab that just opened');
      await waitForPhase(page, 'idle');
    });
  });

  it('when refused, says how to allow it', async () => {
    await withFreshBrowser('deny', async ({ stage, page }) => {
      await talkButton(page).click();
      const text = await bannerText(page, 'error');
      expect(text).toContain('The microphone is blocked for AITalk');
      expect(text).toContain('chrome://settings/content/microphone');
      expect(stage.standin.requests.filter((r) => r.endpoint === 'transcriptions')).toHaveLength(0);
    });
  });
});
