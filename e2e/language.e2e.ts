import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Browser } from './harness';
import { usePanel, useStage } from './fixtures';

/** Texts of the panel a learner reads first: the header, the Talk bar, and the guided start. */
async function panelTexts(page: Page): Promise<string> {
  await page.locator('.talk-button').waitFor();
  await page.locator('.guided-start').waitFor();
  return page.locator('body').innerText();
}

/** What the browser lists for the talk shortcut, in its language. */
async function shortcutDescription(browser: Browser): Promise<string | undefined> {
  const worker = await browser.serviceWorker();
  return worker.evaluate(
    async () => (await chrome.commands.getAll()).find((c) => c.name === 'toggle-talk')?.description,
  );
}

describe('the interface language', () => {
  // The stage only gives each browser a microphone file: one serves both.
  const stage = useStage();

  describe('in a browser set to Chinese', () => {
    const t = usePanel({ stage, lang: 'zh-CN' });

    it('is 简体中文 everywhere in a browser set to Chinese: panel, permission page, shortcut and name', async () => {
      const { browser, page } = t;
      const text = await panelTexts(page);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      for (const chinese of ['新对话', '历史记录', '设置', '新手引导', '说话', '第 1 步，共 4 步', 'API 密钥'])
        expect(text).toContain(chinese);
      expect(text).not.toMatch(/\b(Settings|History|Talk|Provider)\b/);

      // Past the guide: the conversation view, the page panel, and a page that cannot be read.
      await page.getByRole('button', { name: '跳过新手引导' }).click();
      await page.locator('.guided-start').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: '谈谈这个网页' }).click();
      await page.locator('.banner', { hasText: 'AITalk 无法读取' }).waitFor();
      const conversation = await page.locator('body').innerText();
      expect(conversation).toContain('没有它你也可以继续对话。');
      expect(conversation).not.toMatch(/\b(Settings|History|Talk|page|Open|You)\b/);

      await page.getByRole('button', { name: '设置', exact: true }).click();
      await page.getByRole('heading', { name: '设置' }).waitFor();
      const settings = await page.locator('form.settings').innerText();
      for (const chinese of ['界面语言', '水平', '场景', '老师', '语音服务器地址', '免提', '保存', '测试连接'])
        expect(settings).toContain(chinese);

      const permission = await browser.context.newPage();
      await permission.goto(`chrome-extension://${browser.extensionId}/permission.html`);
      await permission.getByRole('heading', { name: '让 AITalk 听到你' }).waitFor();
      expect(await permission.title()).toBe('AITalk — 允许使用麦克风');
      // The harness's browser has already allowed the microphone, so the page says it is ready.
      await permission.getByRole('heading', { name: '麦克风已就绪' }).waitFor();
      expect(await permission.getByRole('button', { name: '关闭这个标签页' }).count()).toBe(1);

      expect(await shortcutDescription(browser)).toBe('和老师说话：按一下开始说，再按一下发送');
      const worker = await browser.serviceWorker();
      const self = await worker.evaluate(() => chrome.management.getSelf());
      expect(self.name).toBe('AITalk — 英语口语陪练');
    });
  });

  describe('in an English browser', () => {
    const t = usePanel({ stage });

    it('is English in an English browser, and switches to 简体中文 and back from Settings', async () => {
      const { browser, page } = t;
      const text = await panelTexts(page);
      for (const english of ['New conversation', 'History', 'Settings', 'Guided start', 'Talk', 'Step 1 of 4'])
        expect(text).toContain(english);
      // Only the language switch names 简体中文 in its own language.
      expect(text.replace('简体中文', '')).not.toMatch(/[\u4e00-\u9fff]/);
      expect(await shortcutDescription(browser)).toBe(
        'Talk to your teacher: press to start speaking, press again to send',
      );

      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByLabel('Interface language').selectOption('zh_CN');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('button', { name: '设置', exact: true }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await page.locator('.talk-button').innerText()).toBe('说话');

      // The choice is kept: a panel opened later starts in Chinese, and so does the permission page.
      const again = await browser.openPanel();
      await again.getByRole('button', { name: '设置', exact: true }).waitFor();
      const permission = await browser.context.newPage();
      await permission.goto(`chrome-extension://${browser.extensionId}/permission.html`);
      await permission.getByRole('heading', { name: '让 AITalk 听到你' }).waitFor();

      await page.getByRole('button', { name: '设置', exact: true }).click();
      await page.getByLabel('界面语言').selectOption('browser');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByRole('button', { name: 'Settings', exact: true }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
    });
  });
});
