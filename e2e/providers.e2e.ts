import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SENTENCE } from '../script/make-test-sample.ts';
import { startStandin, type Standin } from '../script/openai-standin/server.ts';
import { readDatabase } from './harness';
import {
  SENTENCES,
  bannerText,
  configure,
  dismissBanner,
  openingHeard,
  talk,
  talkButton,
  teacherChats,
  usePanel,
  waitForPhase,
} from './fixtures';

/**
 * Bring your own providers: a chat server that cannot transcribe (DeepSeek, Ollama, LM Studio)
 * and a transcription server that cannot chat (a local Whisper), each with its own key.
 */
describe('chat and transcription on different servers, each with its own key', () => {
  const t = usePanel();
  /** Only chats, with key sk-test-aitalk (the stage's stand-in). */
  let chatServer: Standin;
  /** Only transcribes, with its own key. */
  let whisperServer: Standin;
  const press = () => talkButton(t.page).click();
  const openSettings = () => t.page.getByRole('button', { name: 'Settings', exact: true }).click();
  const settingsStatus = () => t.page.locator('.settings-status');

  beforeAll(async () => {
    chatServer = t.stage.standin;
    chatServer.control.setServes('chat');
    whisperServer = await startStandin({
      latencyProfile: 'fast',
      serves: 'transcription',
      apiKey: 'sk-whisper-only',
      candidates: [...Object.values(SENTENCES), TEST_SENTENCE],
    });
    await t.page.locator('.banner').waitFor();
  });

  afterAll(async () => {
    await whisperServer?.close();
  });

  it('the Provider presets fill in addresses and models, and a chat-only provider asks for a transcription server', async () => {
    await openSettings();
    await t.page.getByLabel('Provider').selectOption({ label: 'DeepSeek' });
    expect(await t.page.getByLabel('API base URL').inputValue()).toBe('https://api.deepseek.com/v1');
    expect(await t.page.getByLabel('Chat model').inputValue()).toBe('deepseek-chat');
    expect(await t.page.getByText('DeepSeek can do chat.').count()).toBe(1);
    await t.page.getByText('DeepSeek cannot transcribe speech: choose a transcription server here').waitFor();

    await t.page.getByLabel('Transcription server', { exact: true }).selectOption({ label: 'Groq' });
    expect(await t.page.getByLabel('Transcription server URL').inputValue()).toBe('https://api.groq.com/openai/v1');
    expect(await t.page.getByLabel('Transcription model').inputValue()).toBe('whisper-large-v3-turbo');
    expect(await t.page.getByText('cannot transcribe speech').count()).toBe(0);

    // Plain http to another machine would carry the key in clear text: refused, with the reason.
    await t.page.getByLabel('API base URL').fill('http://192.168.1.20:1234/v1');
    await t.page.getByRole('button', { name: 'Save' }).click();
    expect(await settingsStatus().textContent()).toMatch(
      /API base URL: Use https:\/\/ — with http:\/\/ your key would travel to 192\.168\.1\.20 in clear text/,
    );
    await t.page.getByLabel('API base URL').fill('https://api.deepseek.com/v1');
    await t.page.getByLabel('Transcription server URL').fill('http://whisper.example.com/v1');
    await t.page.getByRole('button', { name: 'Save' }).click();
    expect(await settingsStatus().textContent()).toContain('Transcription server URL: Use https://');
    // Nothing was saved: closing the form drops the draft.
    await openSettings();
    await t.page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
  });

  it('without a transcription server: Test connection and the turn both say the chat server cannot transcribe, and where to fix it', async () => {
    await configure(t.page, {
      apiKey: chatServer.apiKey,
      apiBaseUrl: chatServer.url,
      companionUrl: t.stage.companion.url,
    });
    // The teacher's opening question comes from the chat server.
    await openingHeard(t.page);

    await openSettings();
    await t.page.getByRole('button', { name: 'Test connection' }).click();
    await settingsStatus().locator('text=Voice:').waitFor({ timeout: 20_000 });
    const report = await settingsStatus().textContent();
    expect(report).toContain('Chat: Key accepted.');
    expect(report).toContain(
      'Transcription: This server has no transcription: choose a Transcription server below, then test again.',
    );
    await openSettings();
    expect(chatServer.requests.map((r) => `${r.endpoint} ${r.status}`)).toContain('transcriptions 404');
    chatServer.control.clearRequests();

    await t.stage.say('park');
    await talk(t.page, press);
    const banner = await bannerText(t.page, 'error');
    expect(banner).toContain('cannot transcribe speech (it has no /audio/transcriptions)');
    expect(banner).toContain('choose a Transcription server');
    expect(await t.page.getByRole('button', { name: 'Open settings' }).count()).toBe(1);
    await waitForPhase(t.page, 'idle');
    // The recording is kept, with a Retry.
    const failed = t.page.locator('.message-user[data-status=failed]');
    await failed.getByRole('button', { name: 'Retry' }).waitFor();
    const db = await readDatabase(t.page);
    expect(db.recordings.map((r) => r.id)).toContain(db.messages.find((m) => m.role === 'user')?.recordingId);
    const refused = chatServer.requests.filter((r) => r.endpoint === 'transcriptions');
    expect(refused.map((r) => r.status)).toEqual([404]);
    expect(whisperServer.requests).toHaveLength(0);
  });

  it('with the transcription server set: Test connection transcribes the sample there, and Retry sends the kept recording', async () => {
    await t.page.getByRole('button', { name: 'Open settings' }).click();
    await t.page
      .getByLabel('Transcription server', { exact: true })
      .selectOption({ label: 'Other (type its address below)' });
    await t.page.getByLabel('Transcription server URL').fill(whisperServer.url);
    await t.page.getByLabel('Transcription server key').fill('sk-whisper-only');
    await t.page.getByLabel('Transcription model').fill('whisper-1');
    await t.page.getByRole('button', { name: 'Test connection' }).click();
    await settingsStatus().locator('text=Voice:').waitFor({ timeout: 20_000 });
    const report = await settingsStatus().textContent();
    expect(report).toContain(`Transcription: Heard “${TEST_SENTENCE}” in the test recording.`);
    expect(report).toContain('Chat: Key accepted.');
    await t.page.getByRole('button', { name: 'Save' }).click();
    await t.page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
    await dismissBanner(t.page);

    chatServer.control.clearRequests();
    whisperServer.control.clearRequests();
    await t.page.locator('.message-user[data-status=failed]').getByRole('button', { name: 'Retry' }).click();
    await t.page.locator('.message-user[data-status=done]', { hasText: SENTENCES.park }).waitFor({ timeout: 20_000 });
    await t.page.locator('.message-assistant').nth(1).locator('text=went').waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);
    // Each server accepts only its own key: a 200 from each shows each got its own.
    expect(whisperServer.requests.map((r) => `${r.endpoint} ${r.status}`)).toEqual(['transcriptions 200']);
    expect(whisperServer.requests[0]?.fields).toMatchObject({
      model: 'whisper-1',
      language: 'en',
      response_format: 'verbose_json',
    });
    expect(teacherChats(chatServer).map((r) => `${r.endpoint} ${r.status}`)).toEqual(['chat 200']);
    // The corrections lane is a chat request too: to the chat server, with its key.
    expect(chatServer.requests.filter((r) => r.endpoint !== 'chat')).toEqual([]);
    expect(await t.page.locator('.banner-error').count()).toBe(0);
  });

  it('every recording goes to the transcription server and every chat request to the chat server', async () => {
    chatServer.control.clearRequests();
    whisperServer.control.clearRequests();
    for (const which of ['books', 'food'] as const) {
      await t.stage.say(which);
      await talk(t.page, press);
      await t.page
        .locator('.message-user[data-status=done]', { hasText: SENTENCES[which] })
        .waitFor({ timeout: 20_000 });
      await waitForPhase(t.page, 'idle', 40_000);
    }
    expect(whisperServer.requests.map((r) => `${r.endpoint} ${r.status}`)).toEqual([
      'transcriptions 200',
      'transcriptions 200',
    ]);
    expect(whisperServer.requests.map((r) => r.transcript)).toEqual([SENTENCES.books, SENTENCES.food]);
    expect(teacherChats(chatServer).map((r) => `${r.endpoint} ${r.status}`)).toEqual(['chat 200', 'chat 200']);
    expect(chatServer.requests.filter((r) => r.endpoint !== 'chat')).toEqual([]);
    // The chat server saw the learner's words, transcribed elsewhere.
    expect(JSON.stringify(teacherChats(chatServer)[1]?.body)).toContain(SENTENCES.food);
  });
});
