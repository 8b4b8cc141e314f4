import { createServer } from 'node:net';
import path from 'node:path';
import { startCompanion } from '../companion-server/src/server.ts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readDatabase } from './harness';
import {
  SENTENCES,
  bannerText,
  configure,
  dismissBanner,
  talk,
  talkButton,
  teacherChats,
  transcriptions,
  usePanel,
  useStage,
  waitForPhase,
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
  const t = usePanel();
  const press = () => talkButton(t.page).click();
  const uploads = () => transcriptions(t.stage.standin);

  beforeAll(async () => {
    await t.page.locator('.banner').waitFor();
  });

  beforeEach(async () => {
    // Each case starts from a quiet panel, whatever the case before it left behind.
    await waitForPhase(t.page, 'idle', 60_000);
    await dismissBanner(t.page);
    t.stage.standin.control.reset();
    await t.stage.say('park');
  });

  it('without a key, Talk says to add one and records nothing', async () => {
    await press();
    expect(await bannerText(t.page)).toContain('Add your API key in Settings');
    expect(await t.page.getByRole('button', { name: 'Open settings' }).count()).toBe(1);
    await waitForPhase(t.page, 'idle');
    expect(t.stage.standin.requests).toHaveLength(0);
  });

  it('a rejected key (401) is named as such; the turn is kept and Retry sends it again', async () => {
    await configure(t.page, {
      apiKey: 'sk-wrong',
      apiBaseUrl: t.stage.standin.url,
      companionUrl: t.stage.companion.url,
    });
    // The teacher's opening question fails with the wrong key.
    expect(await bannerText(t.page, 'error')).toContain('rejected your API key (401)');
    await dismissBanner(t.page);
    await configure(t.page, { apiKey: t.stage.standin.apiKey });
    t.stage.standin.control.reset();
    t.stage.standin.control.failNext({ kind: 'invalid-key', endpoint: 'transcriptions' });
    await talk(t.page, press);
    expect(await bannerText(t.page, 'error')).toContain('rejected your API key (401)');
    const failed = t.page.locator('.message-user[data-status=failed]');
    await failed.waitFor();
    const db = await readDatabase(t.page);
    const kept = db.messages.find((m) => m.role === 'user');
    expect(kept?.status).toBe('failed');
    expect(db.recordings.map((r) => r.id)).toContain(kept?.recordingId);

    await failed.getByRole('button', { name: 'Retry' }).click();
    await t.page.locator('.message-user[data-status=done]', { hasText: SENTENCES.park }).waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 30_000);
    expect(uploads()).toHaveLength(2);
  });

  it('an exhausted quota says so and is not retried', async () => {
    t.stage.standin.control.failNext({ kind: 'insufficient-quota', endpoint: 'transcriptions', count: 5 });
    await talk(t.page, press);
    expect(await bannerText(t.page, 'error')).toContain('run out of credit');
    await waitForPhase(t.page, 'idle');
    await t.page.waitForTimeout(1_500);
    expect(uploads()).toHaveLength(1);
  });

  it('a rate limit is retried with backoff until it goes through', async () => {
    t.stage.standin.control.failNext({
      kind: 'rate-limit',
      endpoint: 'chat',
      count: 2,
      retryAfterMs: 300,
      streamed: true,
    });
    await talk(t.page, press);
    await t.page
      .locator('.message-user[data-status=done]', { hasText: SENTENCES.park })
      .last()
      .waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 30_000);
    const chats = teacherChats(t.stage.standin);
    expect(chats.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(await t.page.locator('.message-assistant').last().getAttribute('data-status')).toBe('done');
  });

  it('a server error that persists is reported with its status, and Retry recovers', async () => {
    t.stage.standin.control.failNext({ kind: 'server-error', endpoint: 'transcriptions', count: 4 });
    await talk(t.page, press);
    expect(await bannerText(t.page, 'error')).toMatch(/had a problem on its side \(500\)/);
    expect(uploads()).toHaveLength(4);
    await t.page.locator('.banner').getByRole('button', { name: 'Retry' }).click();
    await waitForPhase(t.page, 'idle', 30_000);
    expect(await t.page.locator('.message-user').last().getAttribute('data-status')).toBe('done');
  });

  it('a network that is down names the host to check', async () => {
    const port = await closedPort();
    await configure(t.page, { apiBaseUrl: `http://127.0.0.1:${port}/v1` });
    await talk(t.page, press);
    // A server on this computer: the message says it is not running, not that the internet is down.
    expect(await bannerText(t.page, 'error')).toContain(`Nothing answers at 127.0.0.1:${port} on this computer`);
    await waitForPhase(t.page, 'idle');
    await configure(t.page, { apiBaseUrl: t.stage.standin.url });
  });

  it('a base URL that is a web page, not an API, is called out', async () => {
    t.stage.standin.control.failNext({ kind: 'html', endpoint: 'transcriptions' });
    await talk(t.page, press);
    expect(await bannerText(t.page, 'error')).toContain('does not answer like an OpenAI-compatible API');
  });

  it('a silent recording is not sent: the panel says nothing was heard', async () => {
    await t.stage.say('silence');
    const kept = (await readDatabase(t.page)).recordings.length;
    await talk(t.page, press, 1_500);
    expect(await bannerText(t.page, 'info')).toContain('didn’t hear anything');
    await waitForPhase(t.page, 'idle');
    expect(uploads()).toHaveLength(0);
    // No audio of an empty room is kept either.
    expect((await readDatabase(t.page)).recordings).toHaveLength(kept);
  });

  it('reaches a companion started with a token, once the token is in Settings', async () => {
    const guarded = await startCompanion({
      port: 0,
      token: 'room-42-token',
      cacheDir: path.join(t.stage.dir, 'guarded-cache'),
      log: () => undefined,
    });
    try {
      await configure(t.page, { companionUrl: guarded.url, companionToken: '' });
      await t.page.getByRole('button', { name: 'Settings', exact: true }).click();
      await t.page.getByRole('button', { name: 'Test connection' }).click();
      await t.page.locator('.settings-status', { hasText: 'Voice:' }).waitFor();
      expect(await t.page.locator('.settings-status').textContent()).toContain('wants a token');
      await t.page.getByRole('button', { name: 'Settings', exact: true }).click();

      await configure(t.page, { companionToken: 'room-42-token' });
      await t.page.getByRole('button', { name: 'Settings', exact: true }).click();
      await t.page.getByRole('button', { name: 'Test connection' }).click();
      await t.page.locator('.settings-status', { hasText: 'Voice:' }).waitFor();
      const report = await t.page.locator('.settings-status').textContent();
      expect(report).toContain('Chat: Key accepted');
      expect(report).toContain('The voice server answers');
      await t.page.getByRole('button', { name: 'Settings', exact: true }).click();

      const before = (await readDatabase(t.page)).messages.length;
      await talk(t.page, press);
      await waitForPhase(t.page, 'idle', 40_000);
      const reply = (await readDatabase(t.page)).messages.slice(before).find((m) => m.role === 'assistant');
      expect(reply?.status).toBe('done');
      // Spoken by the guarded companion, not by the browser's fallback voice.
      expect(reply?.timings.firstAudioAt).toBeGreaterThan(0);
      expect(await t.page.locator('.banner').count()).toBe(0);
    } finally {
      await configure(t.page, { companionUrl: t.stage.companion.url, companionToken: '' });
      await guarded.close();
    }
  });

  it('a press while the last turn is being transcribed does not start another', async () => {
    t.stage.standin.control.setLatency({ transcriptionMs: 2_500 });
    await talk(t.page, press);
    await waitForPhase(t.page, 'transcribing');
    await press();
    expect(await bannerText(t.page, 'info')).toContain('Still working on your last turn');
    await waitForPhase(t.page, 'idle', 30_000);
    expect(uploads()).toHaveLength(1);
  });

  it('the turn survives the service worker being stopped in the middle of it', async () => {
    t.stage.standin.control.setLatency({ transcriptionMs: 2_500 });
    const before = (await readDatabase(t.page)).messages.length;
    await talk(t.page, press);
    await waitForPhase(t.page, 'transcribing');
    await t.browser.stopServiceWorker();
    await waitForPhase(t.page, 'idle', 30_000);
    const db = await readDatabase(t.page);
    expect(db.messages.slice(before).map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    // And the next press still works, with a fresh worker.
    await talk(t.page, () => t.browser.pressShortcut());
    await waitForPhase(t.page, 'idle', 30_000);
    expect((await readDatabase(t.page)).messages.length).toBe(before + 4);
  });

  it('with the companion down, the reply is still shown and read by the browser, with how to start it', async () => {
    const port = await closedPort();
    await configure(t.page, { companionUrl: `http://127.0.0.1:${port}` });
    await talk(t.page, press);
    const text = await bannerText(t.page, 'info');
    expect(text).toContain('voice server is not running');
    expect(text).toContain('npm run companion');
    await waitForPhase(t.page, 'idle', 40_000);
    expect(await t.page.locator('.message-assistant').last().getAttribute('data-status')).toBe('done');
    await configure(t.page, { companionUrl: t.stage.companion.url });
  });
});

describe('the microphone, the first time', () => {
  // Neither browser records anything, so they can share one stage.
  const shared = useStage();

  /** A fresh browser whose microphone permission is `microphone`, with the panel set up and idle. */
  function freshBrowser(microphone: 'ask' | 'deny') {
    const t = usePanel({ stage: shared, microphone, connect: 'saved' });
    beforeAll(async () => {
      await waitForPhase(t.page, 'idle', 30_000);
    });
    return t;
  }

  describe('nobody has answered yet', () => {
    const t = freshBrowser('ask');

    it('opens a page that explains why the microphone is needed and asks for it', async () => {
      const opened = t.browser.context.waitForEvent('page');
      await talkButton(t.page).click();
      const permissionPage = await opened;
      await permissionPage.waitForLoadState();
      expect(permissionPage.url()).toBe(`chrome-extension://${t.browser.extensionId}/permission.html`);
      expect(await permissionPage.getByRole('button', { name: 'Allow microphone' }).count()).toBe(1);
      expect(await permissionPage.locator('body').textContent()).toMatch(/hear you/i);
      expect(await bannerText(t.page, 'info')).toContain('Allow it in the tab that just opened');
      await waitForPhase(t.page, 'idle');
    });
  });

  describe('the learner blocked it', () => {
    const t = freshBrowser('deny');

    it('when refused, says how to allow it', async () => {
      await talkButton(t.page).click();
      const text = await bannerText(t.page, 'error');
      expect(text).toContain('The microphone is blocked for AITalk');
      expect(text).toContain('chrome://settings/content/microphone');
      expect(transcriptions(t.stage.standin)).toHaveLength(0);
    });
  });
});
