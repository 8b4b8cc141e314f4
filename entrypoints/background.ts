import { onMessage, sendMessage } from '@/utils/messages';
import { closeOffscreenDocumentIfIdle, ensureOffscreenDocument } from '@/utils/offscreen-document';
import { talkRequestItem } from '@/utils/settings';

/**
 * The service worker routes the shortcut and owns the offscreen document's lifecycle. It keeps
 * nothing in memory that matters: MV3 stops it whenever it is idle, even in the middle of a turn.
 */
export default defineBackground(() => {
  // The toolbar button opens the side panel, which then stays open across tabs.
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((error: unknown) => {
    console.error('AITalk: could not set the side panel to open from the toolbar button', error);
  });

  chrome.commands.onCommand.addListener((command, tab) => {
    if (command !== 'toggle-talk') return;
    // sidePanel.open only counts the shortcut as a user gesture if it is called at once,
    // before any await. Opening a panel that is already open does nothing.
    const windowId = tab?.windowId;
    if (windowId !== undefined) {
      chrome.sidePanel.open({ windowId }).catch((error: unknown) => {
        console.warn('AITalk: could not open the side panel from the shortcut', error);
      });
    }
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

  onMessage('background:ensure-offscreen', () => ensureOffscreenDocument());
  onMessage('background:offscreen-idle', async () => {
    await closeOffscreenDocumentIfIdle(() => sendMessage('offscreen:prepare-close'));
  });
});
