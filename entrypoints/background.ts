import { defineBackground } from 'wxt/utils/define-background';
import { onMessage, sendMessage } from '@/core/messages';
import { closeIdleOffscreenDocument, ensureOffscreenDocument } from '@/core/offscreen-document';
import { readTab } from '@/features/page/read-tab';
import { pageRequestItem, talkRequestItem, type PageAction, type PageRequest } from '@/features/settings/settings';
import { t } from '@/core/i18n';

/**
 * The context-menu items, in the browser's language: each reads the page (the click grants
 * activeTab) and tells the panel.
 */
const MENU_ITEMS: Array<{ id: PageAction; title: () => string; contexts: ['selection' | 'page'] }> = [
  { id: 'talk', title: () => t('menu.talkSelection'), contexts: ['selection'] },
  { id: 'read-aloud', title: () => t('menu.readAloud'), contexts: ['selection'] },
  { id: 'meaning', title: () => t('menu.meaning'), contexts: ['selection'] },
  { id: 'talk', title: () => t('menu.talkPage'), contexts: ['page'] },
];

/**
 * The service worker routes the shortcuts and menu clicks and owns the offscreen document's
 * lifecycle. It keeps nothing in memory that matters: MV3 stops it whenever it is idle, even in
 * the middle of a turn.
 */
export default defineBackground(() => {
  // The toolbar button opens the side panel, which then stays open across tabs.
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((error: unknown) => {
    console.error('AITalk: could not set the side panel to open from the toolbar button', error);
  });

  chrome.runtime.onInstalled.addListener(() => {
    chrome.contextMenus.removeAll(() => {
      MENU_ITEMS.forEach((item, index) => {
        chrome.contextMenus.create({ id: `${item.id}:${index}`, title: item.title(), contexts: item.contexts });
      });
    });
  });

  /** sidePanel.open only counts a shortcut or click as a user gesture if called at once, before any await. */
  function openPanel(windowId: number | undefined): void {
    if (windowId === undefined) return;
    chrome.sidePanel.open({ windowId }).catch((error: unknown) => {
      console.warn('AITalk: could not open the side panel', error);
    });
  }

  chrome.commands.onCommand.addListener((command, tab) => {
    if (command === 'talk-about-page') {
      openPanel(tab?.windowId);
      void readAndTell(tab, 'talk');
      return;
    }
    if (command !== 'toggle-talk') return;
    const windowId = tab?.windowId;
    openPanel(windowId);
    const request = { id: crypto.randomUUID(), at: Date.now(), windowId };
    // An open panel hears the press at once; one that this press is only opening finds it in
    // storage.session (it cannot receive a message before it has loaded). Each handles it once.
    sendMessage('sidepanel:talk-request', request).catch(() => {
      // No panel open yet: storage.session below reaches it once it loads.
    });
    talkRequestItem.setValue(request).catch((error: unknown) => {
      console.error('AITalk: could not pass the shortcut press to the panel', error);
    });
  });

  chrome.contextMenus.onClicked.addListener((info, tab) => {
    openPanel(tab?.windowId);
    const action = String(info.menuItemId).split(':')[0] as PageAction;
    void readAndTell(tab, action);
  });

  /** Reads the page under the activeTab grant the press or click just gave, and passes it on. */
  async function readAndTell(tab: chrome.tabs.Tab | undefined, action: PageAction): Promise<void> {
    const result = tab ? await readTab(tab) : ({ status: 'restricted', url: '', reason: 'no-page' } as const);
    const request: PageRequest = { id: crypto.randomUUID(), at: Date.now(), windowId: tab?.windowId, action, result };
    sendMessage('sidepanel:page-request', request).catch(() => {
      // No panel open yet: storage.session below reaches it once it loads.
    });
    await pageRequestItem.setValue(request).catch((error: unknown) => {
      console.error('AITalk: could not pass the page to the panel', error);
    });
  }

  onMessage('background:ensure-offscreen', () => ensureOffscreenDocument());
  onMessage('background:offscreen-idle', async () => {
    await closeIdleOffscreenDocument();
  });
});
