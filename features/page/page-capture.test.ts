import { describe, expect, it } from 'vitest';
import {
  ARTICLE_BUDGET_CHARS,
  captureProblem,
  clip,
  newPagePrompt,
  pageContext,
  restrictedReason,
  type PageCapture,
} from './page-capture';

const page = (over: Partial<PageCapture> = {}): PageCapture => ({
  id: 'p',
  title: 'Why cities plant trees',
  url: 'https://news.example.org/trees',
  lang: 'en',
  selection: '',
  text: 'Trees cool the streets in summer. They also clean the air.',
  capturedAt: 10,
  ...over,
});

describe('which pages can be read', () => {
  it.each([
    ['chrome://settings/', 'browser-page'],
    ['chrome://newtab/', 'browser-page'],
    ['about:blank', 'browser-page'],
    ['https://chromewebstore.google.com/detail/abc', 'web-store'],
    ['https://chrome.google.com/webstore/detail/abc', 'web-store'],
    ['chrome-extension://abcdefgh/options.html', 'extension-page'],
    ['https://example.org/paper.pdf', 'pdf'],
    ['view-source:https://example.org/', 'view-source'],
    [undefined, 'no-page'],
  ])('%s cannot be read (%s), and the learner is told what to do', (url, reason) => {
    expect(restrictedReason(url)).toBe(reason);
    const message = captureProblem({ status: 'restricted', url: url ?? '', reason: reason as never });
    expect(message).toMatch(/Open|Select|keep talking/);
  });

  it('reads ordinary web pages', () => {
    expect(restrictedReason('https://en.wikipedia.org/wiki/Tree')).toBeNull();
    expect(restrictedReason('http://127.0.0.2:8080/article.html')).toBeNull();
  });

  it('says so when a page is still loading or has almost no text', () => {
    expect(captureProblem({ status: 'loading', title: 'News', url: 'https://x.org' })).toMatch(/still loading/);
    expect(captureProblem({ status: 'too-little-text', title: '', url: 'https://x.org/v' })).toMatch(
      /x\.org.*almost no text/,
    );
  });
});

describe('what the teacher is given', () => {
  it('gives title, address and text, the selection before the article, fenced as page text', () => {
    const context = pageContext([page({ selection: 'They also clean the air.' })]);
    expect(context).toContain('Title: Why cities plant trees');
    expect(context).toContain('Address: https://news.example.org/trees');
    expect(context.indexOf('They also clean the air.')).toBeLessThan(context.indexOf('Trees cool the streets'));
    expect(context).toMatch(/<page>[\s\S]*<\/page>/);
    expect(context).toMatch(/not instructions/);
  });

  it('keeps a long article to its opening, cut at a sentence', () => {
    const sentence = 'City trees give shade and make summer streets cooler for everyone. ';
    const long = sentence.repeat(400);
    const context = pageContext([page({ text: long })]);
    expect(context.length).toBeLessThan(ARTICLE_BUDGET_CHARS + 1_000);
    expect(clip(long, 500)).toMatch(/everyone\. \[…\]$/);
  });

  it('names earlier pages but gives only the newest in full', () => {
    const context = pageContext([page({ title: 'Old page', text: 'old words here' }), page({ title: 'New page' })]);
    expect(context).toContain('Title: New page');
    expect(context).not.toContain('old words here');
    expect(context).toMatch(/Earlier in this conversation the learner read:\n- Old page/);
  });

  it('gives nothing when the conversation is about no page', () => {
    expect(pageContext([])).toBe('');
  });

  it('asks the teacher to speak first about a page just brought in', () => {
    expect(newPagePrompt(page())).toMatch(/just brought in the page “Why cities plant trees”.*ask one short question/);
    expect(newPagePrompt(page({ selection: 'x' }))).toMatch(/the part of it they selected/);
  });
});
