import { applyInterfaceLanguage, t } from '@/core/i18n';
import { sendMessage } from '@/core/messages';
import { microphonePermission } from '@/core/microphone-permission';
import { loadSettings } from '@/features/settings/settings';

/**
 * Asks for the microphone on a normal extension page: the offscreen document that records cannot
 * show Chrome's permission prompt, so the first Talk opens this tab. The permission belongs to
 * the extension's origin, so once allowed here the offscreen document may use it too.
 */

const allow = element<HTMLButtonElement>('allow');
const status = element<HTMLDivElement>('status');
const done = element<HTMLElement>('done');
const blocked = element<HTMLElement>('blocked');

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`permission.html has no #${id}`);
  return found as T;
}

function say(text: string): void {
  status.textContent = text;
}

function showAllowed(): void {
  say(t('permission.thanks'));
  done.hidden = false;
  blocked.hidden = true;
  allow.hidden = true;
  element<HTMLButtonElement>('close').focus();
}

function showBlocked(text: string): void {
  say(text);
  blocked.hidden = false;
  done.hidden = true;
}

async function askForMicrophone(): Promise<void> {
  allow.disabled = true;
  say(t('permission.asking'));
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    // Only the permission was needed: stop at once, so the recording indicator goes off.
    for (const track of stream.getTracks()) track.stop();
    showAllowed();
    sendMessage('sidepanel:microphone-allowed').catch(() => undefined);
  } catch (error) {
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      say(t('permission.noMicrophone'));
    } else if (name === 'NotAllowedError' && (await microphonePermission()) === 'prompt') {
      say(t('permission.dismissed'));
    } else if (name === 'NotAllowedError' || name === 'SecurityError') {
      showBlocked(t('permission.blocked'));
    } else {
      say(t('permission.failed', { detail: error instanceof Error ? error.message : String(error) }));
    }
  } finally {
    allow.disabled = false;
  }
}

function openTab(url: string): void {
  chrome.tabs.create({ url }).catch(() => say(t('permission.copyAddress', { url })));
}

allow.addEventListener('click', () => void askForMicrophone());
element<HTMLButtonElement>('open-settings').addEventListener('click', () =>
  openTab('chrome://settings/content/microphone'),
);
element<HTMLButtonElement>('open-site-settings').addEventListener('click', () =>
  openTab(`chrome://settings/content/siteDetails?site=${encodeURIComponent(location.origin)}`),
);
element<HTMLButtonElement>('close').addEventListener('click', () => {
  chrome.tabs.getCurrent().then(
    (tab) => (tab?.id !== undefined ? chrome.tabs.remove(tab.id) : window.close()),
    () => window.close(),
  );
});

type StaticPageText = 'permission.heading';

/** The page's static texts, in the language the panel uses (the learner's choice, or the browser's). */
async function translatePage(): Promise<void> {
  const settings = await loadSettings().catch(() => null);
  await applyInterfaceLanguage(settings?.interfaceLanguage ?? 'browser');
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    // Only static texts carry data-i18n (none with placeholders), so any of them types as one.
    node.textContent = t((node.dataset.i18n ?? '') as StaticPageText);
  }
}

void (async () => {
  await translatePage();
  const state = await microphonePermission();
  if (state === 'granted') showAllowed();
  else if (state === 'denied') showBlocked(t('permission.blocked'));
  else allow.focus();
  try {
    // Allowing it in Chrome's settings while this tab is open updates the page by itself.
    const permission = await navigator.permissions.query({ name: 'microphone' });
    permission.addEventListener('change', () => {
      if (permission.state === 'granted') {
        showAllowed();
        sendMessage('sidepanel:microphone-allowed').catch(() => undefined);
      }
    });
  } catch {
    // Permission changes cannot be watched here; the button still works.
  }
})();
