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
    // The panel (already open, or opening now) picks this up from storage.session.
    void talkRequestItem.setValue({ id: crypto.randomUUID(), at: Date.now(), windowId });
  });

  onMessage('background:ensure-offscreen', () => ensureOffscreenDocument());
  onMessage('background:offscreen-idle', async () => {
    await closeOffscreenDocumentIfIdle(async () => {
      const status = await sendMessage('offscreen:status');
      return status.recording || status.speaking;
    });
  });
});
