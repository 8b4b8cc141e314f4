import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { usePanel, useStage } from './fixtures';

/** The side panel's narrowest usual width: Chrome opens it at 360 px and learners rarely make it narrower. */
const NARROW = { width: 360, height: 640 };

interface Box {
  name: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** The label is wider than the button shows. */
  clipped: boolean;
}

/** The header's title and buttons as laid out now, each with the name a screen reader gives it. */
async function headerBoxes(page: Page): Promise<{ pageWidth: number; wider: string[]; boxes: Box[] }> {
  await page.locator('.app-header nav button').first().waitFor();
  return page.evaluate(() => {
    const elements = [...document.querySelectorAll<HTMLElement>('.app-header h1, .app-header nav button')];
    return {
      pageWidth: document.documentElement.scrollWidth,
      // What sticks out past the panel's right edge, named for the failure message.
      wider: [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((element) => `${element.tagName.toLowerCase()}.${element.className}: ${element.innerText?.slice(0, 60)}`),
      boxes: elements.map((element) => {
        const box = element.getBoundingClientRect();
        return {
          name: (element.getAttribute('aria-label') ?? element.innerText).trim(),
          left: box.left,
          right: box.right,
          top: box.top,
          bottom: box.bottom,
          clipped: element.scrollWidth > element.clientWidth + 1,
        };
      }),
    };
  });
}

function overlapping(boxes: readonly Box[]): string[] {
  const found: string[] = [];
  boxes.forEach((a, i) =>
    boxes.slice(i + 1).forEach((b) => {
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        found.push(`${a.name} × ${b.name}`);
    }),
  );
  return found;
}

describe('the panel header at 360 px', () => {
  // The stage only gives each browser a microphone file: one serves both.
  const stage = useStage();

  for (const [lang, names] of [
    [
      'en',
      [
        'AITalk',
        'New conversation',
        'Summary',
        'History',
        'Notebook',
        'Progress',
        'Memory',
        'Settings',
        'Guided start',
      ],
    ],
    ['zh-CN', ['AITalk', '新对话', '总结', '历史记录', '笔记本', '进步', '记忆', '设置', '新手引导']],
  ] as const) {
    describe(lang, () => {
      const t = usePanel({ stage, viewport: NARROW, ...(lang === 'en' ? {} : { lang }) });

      it(`shows every header button whole, labelled, inside the panel and overlapping none (${lang})`, async () => {
        const { pageWidth, wider, boxes } = await headerBoxes(t.page);
        expect(boxes.map((box) => box.name)).toEqual(names);
        expect(pageWidth, wider.join('\n')).toBeLessThanOrEqual(NARROW.width);
        expect(boxes.filter((box) => box.left < 0 || box.right > NARROW.width).map((box) => box.name)).toEqual([]);
        expect(boxes.filter((box) => box.clipped).map((box) => box.name)).toEqual([]);
        expect(overlapping(boxes)).toEqual([]);
        // Every button stays reachable by Tab, in the order it is shown, once the panel has loaded
        // (New conversation and Summary wait for it).
        await t.page.locator('.app-header nav button:disabled').first().waitFor({ state: 'detached' });
        await t.page.locator('body').focus();
        const reached: string[] = [];
        for (let i = 0; i < 30 && reached.length < names.length - 1; i++) {
          await t.page.keyboard.press('Tab');
          const name = await t.page.evaluate(() =>
            document.activeElement?.closest('.app-header nav')
              ? (document.activeElement as HTMLElement).innerText
              : null,
          );
          if (name !== null && !reached.includes(name)) reached.push(name);
        }
        expect(reached).toEqual(names.slice(1));
      });
    });
  }
});
