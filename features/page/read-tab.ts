import { restrictedReason, type CaptureResult, type PageReading } from './page-capture';

/** The page reader's built file (entrypoints/page-reader.ts), injected only when asked. */
const READER_FILE = '/page-reader.js';

/**
 * Reads one tab with the page reader. Works where the extension may script the tab: the
 * `activeTab` grant of a shortcut or menu click, or a host permission the learner gave. Never
 * throws: every outcome is a result the panel can word.
 */
export async function readTab(tab: { id?: number; url?: string; title?: string }): Promise<CaptureResult> {
  const url = tab.url ?? '';
  // Without a grant Chrome hides the address: a page the extension may not read at all.
  const reason = tab.url === undefined ? null : restrictedReason(url);
  if (reason) return { status: 'restricted', url, reason };
  if (tab.id === undefined) return { status: 'restricted', url, reason: 'no-page' };
  let reading: PageReading | undefined;
  try {
    const [frame] = await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: [READER_FILE] });
    reading = frame?.result as PageReading | undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Chrome's words for a page it keeps from extensions (an error page, the PDF viewer, a
    // page of another extension) and for a page the extension has no grant for.
    if (/cannot be scripted|extensions gallery|chrome:\/\/|error page/i.test(message)) {
      return { status: 'restricted', url, reason: 'browser-page' };
    }
    if (/permission|Cannot access contents/i.test(message)) return { status: 'not-allowed', url };
    return { status: 'failed', url, message };
  }
  if (!reading) return { status: 'failed', url, message: 'the page gave no answer' };
  if (reading.status !== 'read') return reading;
  return {
    status: 'captured',
    page: {
      id: crypto.randomUUID(),
      title: reading.title,
      url: reading.url,
      lang: reading.lang,
      selection: reading.selection,
      text: reading.text,
      capturedAt: Date.now(),
    },
  };
}
