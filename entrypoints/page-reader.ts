import { Readability } from '@mozilla/readability';
import { MIN_PAGE_WORDS, type PageReading } from '@/features/page/page-capture';

/**
 * Injected into a page by `scripting.executeScript({ files })` only when the learner asks (the
 * page shortcut, a menu item, a panel button). It reads, returns plain data and leaves nothing
 * behind: `globalName: false` makes WXT build an anonymous IIFE whose value is the script's result,
 * so no global is left in the page's isolated world, and no listener or element is added.
 */
export default defineUnlistedScript({
  globalName: false,
  main(): PageReading {
    const title = document.title.trim();
    const url = location.href;
    const selection = (window.getSelection()?.toString() ?? '').replace(/\s+/g, ' ').trim();
    if (document.readyState === 'loading' && !selection) return { status: 'loading', title, url };
    // Readability rewrites the document it is given: a copy, so the page the learner sees is untouched.
    const copy = document.cloneNode(true) as Document;
    let text = '';
    try {
      const article = new Readability(copy, { charThreshold: 200 }).parse();
      text = (article?.textContent ?? '')
        .replace(/[ \t\r\f\v]+/g, ' ')
        .replace(/\s*\n\s*/g, '\n')
        .trim();
    } catch {
      text = '';
    }
    const words = text.split(/\s+/).filter(Boolean).length;
    if (!selection && words < MIN_PAGE_WORDS) return { status: 'too-little-text', title, url };
    return { status: 'read', title, url, lang: document.documentElement.lang || '', selection, text };
  },
});
