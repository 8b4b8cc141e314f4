import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Web pages a learner might read, served by the tests on loopback: an article wrapped in the
 * clutter real news sites have (navigation, a cookie banner, related links, a footer), a short
 * page to select a sentence on, and an almost empty page.
 */

export const ARTICLE_TITLE = 'Why cities are planting more trees';
/** Words of the article the teacher must be given. */
export const ARTICLE_WORDS = ['Trees cool the streets around them', 'canopy', 'heat islands'];
/** Words of the clutter that must never reach the teacher. */
export const CLUTTER = [
  'Accept all cookies',
  'Subscribe for £1',
  'Ten best holiday islands',
  'Terms of use',
  'Sign in',
];

export const SELECTION_TITLE = 'Reading practice: city trees';
/** The sentence the learner selects and reads aloud. */
export const SELECTED = 'Many cities plant trees to keep their streets cool in summer.';
/** What the learner's recording says: one word different, so the score shows a substitution. */
export const READ_WITH_SLIP = 'Many cities plant trees to keep the streets cool in summer.';

const ARTICLE = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${ARTICLE_TITLE}</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/subscribe">Subscribe for £1</a> <a href="/login">Sign in</a></nav></header>
<div class="cookie-banner" role="dialog"><p>We value your privacy. We and our 412 partners use cookies.</p><button>Accept all cookies</button><button>Manage options</button></div>
<main><article>
<h1>${ARTICLE_TITLE}</h1>
<p class="byline">By a staff reporter</p>
<p>Trees cool the streets around them. On a hot afternoon, a street with a full canopy of leaves can be several degrees cooler than a street of bare concrete a few hundred metres away, and people notice the difference as soon as they step into the shade.</p>
<p>City planners call the hottest districts heat islands. Roofs, roads and car parks soak up sunshine all day and give the heat back at night, so these neighbourhoods stay warm long after the sun goes down, and older people there sleep badly.</p>
<p>That is why many cities now plant thousands of young trees every year. They choose species that survive dry summers and polluted air, and they ask residents to water the saplings near their homes during the first two summers.</p>
<p>Trees are not a quick fix. A young tree gives little shade for ten years, and its roots can damage pipes and pavements. But planners say that the cities which start planting now will be much more pleasant places to live in twenty years.</p>
</article></main>
<aside class="related"><h2>Related</h2><ul><li><a href="/a">Ten best holiday islands</a></li><li><a href="/b">Celebrity chef opens new restaurant</a></li><li><a href="/c">Quiz of the week</a></li></ul></aside>
<footer><p>© 2026 Daily Example. <a href="/terms">Terms of use</a> · <a href="/privacy">Privacy</a> · <a href="/contact">Contact us</a></p></footer>
</body></html>`;

const SELECTION = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${SELECTION_TITLE}</title></head>
<body><main><article>
<h1>${SELECTION_TITLE}</h1>
<p id="first">${SELECTED}</p>
<p>Shade from the leaves keeps pavements and walls from soaking up the sun, and the water that trees breathe out cools the air around them. Planners say the cheapest way to make a street more pleasant in a heat wave is to plant trees along it and look after them while they are young.</p>
</article></main></body></html>`;

const EMPTY = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Photo of the day</title></head><body><img alt="" src="data:,"><p>Photo.</p></body></html>`;

export interface TestPages {
  origin: string;
  article: string;
  selection: string;
  empty: string;
  close(): Promise<void>;
}

/** Serves the pages on `host` (loopback; 127.0.0.2 is outside the extension's host permissions). */
export async function servePages(host = '127.0.0.1'): Promise<TestPages> {
  const pages: Record<string, string> = {
    '/article.html': ARTICLE,
    '/selection.html': SELECTION,
    '/empty.html': EMPTY,
  };
  const server: Server = createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    article: `${origin}/article.html`,
    selection: `${origin}/selection.html`,
    empty: `${origin}/empty.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Selects the first paragraph of the selection page, as a learner dragging over it would. */
export const SELECT_FIRST_PARAGRAPH = `(() => {
  const range = document.createRange();
  range.selectNodeContents(document.getElementById('first'));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
})()`;
