import { describe, expect, it } from 'vitest';
import {
  SENTENCES,
  talk,
  talkButton,
  teacherChats,
  usePanel,
  waitForPhase,
  waitUntil,
  withBody,
  type ChatBody,
} from './fixtures';

describe('the guided start: key, microphone, level and scenario, first turn', () => {
  const t = usePanel();

  it('opens by itself on a first run, and tests the key and server inline', async () => {
    await t.page.getByRole('heading', { name: 'Guided start' }).waitFor();
    expect(await t.page.locator('.guide-step').innerText()).toBe('Step 1 of 4');
    await t.page.getByLabel('API key').fill(t.stage.standin.apiKey);
    await t.page.getByLabel('API base URL').fill(t.stage.standin.url);
    await t.page.locator('.guide-voice summary').click();
    await t.page.locator('#guide-companion-url').fill(t.stage.companion.url);
    await t.page.getByRole('button', { name: 'Test the connection' }).click();
    const report = t.page.locator('.guided-start .settings-status');
    await t.page.locator('.guided-start .settings-status', { hasText: 'Voice:' }).waitFor({ timeout: 30_000 });
    const lines = await report.innerText();
    expect(lines).toContain('Chat: Key accepted.');
    expect(lines).toContain('Transcription:');
    expect(lines).toContain('The voice server answers');
  });

  it('sends the learner to the microphone page and sees the permission arrive', async () => {
    await t.page.getByRole('button', { name: 'Next' }).click();
    await t.page.locator('.guide-step', { hasText: 'Step 2 of 4' }).waitFor();
    const opened = t.browser.context.waitForEvent('page');
    await t.page.getByRole('button', { name: 'Open the microphone page' }).click();
    const permission = await opened;
    await permission.waitForLoadState();
    const allow = permission.getByRole('button', { name: 'Allow microphone' });
    await permission.getByRole('heading', { name: 'Let AITalk hear you' }).waitFor();
    if (await allow.isVisible()) await allow.click();
    await permission.getByRole('heading', { name: 'The microphone is ready' }).waitFor();
    await t.page.locator('.guide-mic-state', { hasText: 'The microphone is allowed.' }).waitFor();
    await permission.close();
  });

  it('asks the level and what to practise, and the teacher is told both', async () => {
    await t.page.getByRole('button', { name: 'Next' }).click();
    await t.page.getByLabel('Level').selectOption('A2');
    await t.page.getByLabel('Scenario').selectOption('jobInterview');
    const before = t.stage.standin.requests.filter((r) => r.endpoint === 'chat').length;
    await t.page.getByRole('button', { name: 'Next' }).click();
    await t.page.locator('.guide-step', { hasText: 'Step 4 of 4' }).waitFor();

    // Step 4: the teacher opens, in the role and at the level just chosen.
    const opening = await waitUntil(() =>
      withBody(t.stage.standin.requests.filter((r) => r.endpoint === 'chat')[before]),
    );
    expect(opening.valid).toBe(true);
    const system = (opening.body as ChatBody).messages[0];
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('CEFR A2');
    expect(system?.content).toContain('hiring manager');
    expect(system?.content).toContain('telling me a little about yourself');
    expect(system?.content).not.toContain('100 words');
    await t.page.locator('.guided-start .message-assistant').first().waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);
  });

  it('takes the first spoken turn, then gets out of the way for good', async () => {
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());
    await t.page.locator('.guided-start .message-user', { hasText: SENTENCES.park }).waitFor({ timeout: 20_000 });
    await t.page
      .locator('.guided-start', { hasText: 'Well done — you are talking with your teacher.' })
      .waitFor({ timeout: 40_000 });
    await waitForPhase(t.page, 'idle', 40_000);
    // Every request of the conversation carries the shaped teacher, not only the first (the
    // corrections lane's request, which may come last, has its own prompt).
    const chats = teacherChats(t.stage.standin);
    expect(chats.length).toBeGreaterThanOrEqual(2);
    expect((chats[chats.length - 1]?.body as ChatBody).messages[0]?.content).toContain('CEFR A2');

    await t.page.getByRole('button', { name: 'Start talking' }).click();
    await t.page.locator('.guided-start').waitFor({ state: 'detached' });
    await t.page.locator('.message-user', { hasText: SENTENCES.park }).waitFor();

    // A panel opened later goes straight to the conversation; the header reopens the guide.
    const again = await t.browser.openPanel();
    await again.locator('.message-user', { hasText: SENTENCES.park }).waitFor();
    expect(await again.locator('.guided-start').count()).toBe(0);
    await again.getByRole('button', { name: 'Guided start' }).click();
    await again.getByRole('heading', { name: 'Guided start' }).waitFor();
    expect(await again.getByLabel('API key').inputValue()).toBe(t.stage.standin.apiKey);
    await again.getByRole('button', { name: 'Skip the guided start' }).click();
    await again.locator('.guided-start').waitFor({ state: 'detached' });
    await again.close();
  });

  it('shows Level and Scenario as labelled settings, as chosen in the guide', async () => {
    await t.page.getByRole('button', { name: 'Settings', exact: true }).click();
    expect(await t.page.getByLabel('Level').inputValue()).toBe('A2');
    expect(await t.page.getByLabel('Scenario').inputValue()).toBe('jobInterview');
    expect(await t.page.getByLabel('Teacher', { exact: true }).inputValue()).toBe('shaped');
  });
});
