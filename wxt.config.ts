import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { AITALK_EXTENSION_KEY } from './companion-server/src/extension-id';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({
    plugins: [preact()],
  }),
  manifest: ({ browser, mode }) => ({
    // A fixed key gives every Chromium development build the same id, which the companion trusts by default.
    // The Chrome Web Store refuses a manifest with "key" and signs with its own: `npm run zip` builds in mode
    // "store" without it.
    ...(browser === 'chrome' && mode !== 'store' ? { key: AITALK_EXTENSION_KEY } : {}),
    name: 'AITalk — spoken English partner',
    short_name: 'AITalk',
    // sidePanel.open (the shortcut opening the panel) and runtime.getContexts (finding the
    // offscreen document after the service worker restarted) arrived in Chrome 116.
    minimum_chrome_version: '116',
    description:
      'Practise speaking English with a patient AI teacher in the side panel, next to whatever you are reading.',
    // activeTab + scripting: read the page the learner is on, only when they press the page
    // shortcut or pick a menu item (each grants activeTab for that tab); contextMenus: those items.
    permissions: ['sidePanel', 'offscreen', 'storage', 'activeTab', 'scripting', 'contextMenus'],
    // The default API host and this machine's loopback (the companion, a local Whisper or LLM
    // server) are granted at install; any other host is asked for at run time, when the learner
    // saves it in Settings.
    host_permissions: ['https://api.openai.com/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    // Also a site the learner asks the panel's own button to read (it gets no activeTab grant).
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: 'Open AITalk' },
    commands: {
      'toggle-talk': {
        suggested_key: { default: 'Alt+Shift+S' },
        description: 'Talk to your teacher: press to start speaking, press again to send',
      },
      // Chrome silently leaves a suggested key unassigned when it keeps the key for itself
      // (Alt+Shift+A, P, R and W are taken); e2e/page-shortcut-headed.e2e.ts checks this one is given.
      'talk-about-page': {
        suggested_key: { default: 'Alt+Shift+L' },
        description: 'Talk about this page: the teacher reads the selection or the article and asks about it',
      },
    },
  }),
});
