import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, type Browser } from './harness';
import { SENTENCES, setUpStage, talk, talkButton, teacherChats, waitForPhase, waitUntil, type Stage } from './fixtures';

type ChatBody = { messages: Array<{ role: string; content: string }> };

describe('the guided start: key, microphone, level and scenario, first turn', () => {
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

  it('opens by itself on a first run, and tests the key and server inline', async () => {
    await page.getByRole('heading', { name: 'Guided start' }).waitFor();
    expect(await page.locator('.guide-step').innerText()).toBe('Step 1 of 4');
    await page.getByLabel('API key').fill(stage.standin.apiKey);
    await page.getByLabel('API base URL').fill(stage.standin.url);
    await page.locator('.guide-voice summary').click();
    await page.locator('#guide-companion-url').fill(stage.companion.url);
    await page.getByRole('button', { name: 'Test the connection' }).click();
    const report = page.locator('.guided-start .settings-status');
    await page.locator('.guided-start .settings-status', { hasText: 'Voice:' }).waitFor({ timeout: 30_000 });
    const lines = await report.innerText();
    expect(lines).toContain('Chat: Key accepted.');
    expect(lines).toContain('Transcription:');
    expect(lines).toContain('The voice server answers');
  });

  it('sends the learner to the microphone page and sees the permission arrive', async () => {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.guide-step', { hasText: 'Step 2 of 4' }).waitFor();
    const opened = browser.context.waitForEvent('page');
    await page.getByRole('button', { name: 'Open the microphone page' }).click();
    const permission = await opened;
    await permission.waitForLoadState();
    const allow = permission.getByRole('button', { name: 'Allow microphone' });
    await permission.getByRole('heading', { name: 'Let AITalk hear you' }).waitFor();
    if (await allow.isVisible()) await allow.click();
    await permission.getByRole('heading', { name: 'The microphone is ready' }).waitFor();
    await page.locator('.guide-mic-state', { hasText: 'The microphone is allowed.' }).waitFor();
    await permission.close();
  });

  it('asks the level and what to practise, and the teacher is told both', async () => {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Level').selectOption('A2');
    await page.getByLabel('Scenario').selectOption('jobInterview');
    const before = stage.standin.requests.filter((r) => r.endpoint === 'chat').length;
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.guide-step', { hasText: 'Step 4 of 4' }).waitFor();

    // Step 4: the teacher opens, in the role and at the level just chosen.
    const opening = await waitUntil(() => stage.standin.requests.filter((r) => r.endpoint === 'chat')[before]);
    expect(opening.valid).toBe(true);
    const system = (opening.body as ChatBody).messages[0];
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('CEFR A2');
    expect(system?.content).toContain('hiring manager');
    expect(system?.content).toContain('telling me a little about yourself');
    expect(system?.content).not.toContain('100 words');
    await page.locator('.guided-start .message-assistant').first().waitFor({ timeout: 20_000 });
    await waitForPhase(page, 'idle', 40_000);
  });

  it('takes the first spoken turn, then gets out of the way for good', async () => {
    await stage.say('park');
    await talk(page, () => talkButton(page).click());
    await page.locator('.guided-start .message-user', { hasText: SENTENCES.park }).waitFor({ timeout: 20_000 });
    await page
      .locator('.guided-start', { hasText: 'Well done — you are talking with your teacher.' })
      .waitFor({ timeout: 40_000 });
    await waitForPhase(page, 'idle', 40_000);
    // Every request of the conversation carries the shaped teacher, not only the first (the
    // corrections lane's request, which may come last, has its own prompt).
    const chats = teacherChats(stage.standin);
    expect(chats.length).toBeGreaterThanOrEqual(2);
    expect((chats[chats.length - 1]?.body as ChatBody).messages[0]?.content).toContain('CEFR A2');

    await page.getByRole('button', { name: 'Start talking' }).click();
    await page.locator('.guided-start').waitFor({ state: 'detached' });
    await page.locator('.message-user', { hasText: SENTENCES.park }).waitFor();

    // A panel opened later goes straight to the conversation; the header reopens the guide.
    const again = await browser.openPanel();
    await again.locator('.message-user', { hasText: SENTENCES.park }).waitFor();
    expect(await again.locator('.guided-start').count()).toBe(0);
    await again.getByRole('button', { name: 'Guided start' }).click();
    await again.getByRole('heading', { name: 'Guided start' }).waitFor();
    expect(await again.getByLabel('API key').inputValue()).toBe(stage.standin.apiKey);
    await again.getByRole('button', { name: 'Skip the guided start' }).click();
    await again.locator('.guided-start').waitFor({ state: 'detached' });
    await again.close();
  });

  it('shows Level and Scenario as labelled settings, as chosen in the guide', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    expect(await page.getByLabel('Level').inputValue()).toBe('A2');
    expect(await page.getByLabel('Scenario').inputValue()).toBe('jobInterview');
    expect(await page.getByLabel('Teacher', { exact: true }).inputValue()).toBe('shaped');
  });
});
