import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AITALK_EXTENSION_KEY } from './common/extension-id';

// The pronunciation judge's recogniser fetches its model file by file from a URL
// (offscreen/pronunciation/judge.ts, loadJudge's modelBase): the US-English one is served from the extension
// at /soundswallower/model/en-us/. Only that model: the package also holds a French one the judge never loads.
const SOUNDSWALLOWER_MODEL = path.resolve('node_modules/soundswallower/model/en-us');
// WXT defines import.meta.url as self.location.href, so the recogniser looks for its .wasm beside the script that
// loads it: the judge's worker (offscreen/judging/judge-worker.ts) is built into /soundswallower/ and the .wasm
// copied there. An ES worker, because soundswallower's browser build is an ES module.
const SOUNDSWALLOWER_WASM = path.resolve('node_modules/soundswallower/soundswallower.web.wasm');

// See https://wxt.dev/api/config.html
export default defineConfig({
  // Every import is written out: a reader (and grep) finds where a name comes from, and moving a file
  // cannot silently change what a name means.
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  vite: () => ({
    plugins: [preact()],
    // soundswallower imports blob-polyfill, which reads `document` as it loads and so fails in the judge's worker.
    resolve: { alias: { 'blob-polyfill': path.resolve('offscreen/judging/native-blob.ts') } },
    worker: { format: 'es', rollupOptions: { output: { entryFileNames: 'soundswallower/[name]-[hash].js' } } },
  }),
  hooks: {
    // The i18n module writes _locales/*/messages.json indented; Chrome reads them as well on one line, and the
    // indentation of ~500 messages in two languages was 13 kB of the extension.
    'build:done': (wxt) => {
      const locales = path.join(wxt.config.outDir, '_locales');
      for (const locale of readdirSync(locales)) {
        const file = path.join(locales, locale, 'messages.json');
        writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))));
      }
    },
    'build:publicAssets': (_wxt, files) => {
      files.push({ absoluteSrc: SOUNDSWALLOWER_WASM, relativeDest: 'soundswallower/soundswallower.web.wasm' });
      for (const name of readdirSync(SOUNDSWALLOWER_MODEL)) {
        files.push({
          absoluteSrc: path.join(SOUNDSWALLOWER_MODEL, name),
          relativeDest: `soundswallower/model/en-us/${name}`,
        });
      }
    },
  },
  manifest: ({ browser, mode }) => ({
    // A fixed key gives every Chromium development build the same id, which the companion trusts by default.
    // The Chrome Web Store refuses a manifest with "key" and signs with its own: `npm run zip` builds in mode
    // "store" without it.
    ...(browser === 'chrome' && mode !== 'store' ? { key: AITALK_EXTENSION_KEY } : {}),
    // Names and descriptions come from locales/*.yml (the @wxt-dev/i18n module writes _locales/),
    // so Chrome shows them in the browser's language, the shortcut's description included.
    default_locale: 'en',
    name: '__MSG_extName__',
    short_name: 'AITalk',
    // sidePanel.open (the shortcut opening the panel) and runtime.getContexts (finding the
    // offscreen document after the service worker restarted) arrived in Chrome 116.
    minimum_chrome_version: '116',
    description: '__MSG_extDescription__',
    // activeTab + scripting: read the page the learner is on, only when they press the page
    // shortcut or pick a menu item (each grants activeTab for that tab); contextMenus: those items.
    permissions: ['sidePanel', 'offscreen', 'storage', 'activeTab', 'scripting', 'contextMenus'],
    // The default API host and this machine's loopback (the companion, a local Whisper or LLM
    // server) are granted at install; any other host is asked for at run time, when the learner
    // saves it in Settings.
    host_permissions: ['https://api.openai.com/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    // Also a site the learner asks the panel's own button to read (it gets no activeTab grant).
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: '__MSG_actionTitle__' },
    // 'wasm-unsafe-eval': the pronunciation judge's recogniser is WebAssembly (soundswallower); the rest is
    // Manifest V3's default policy.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
    commands: {
      'toggle-talk': {
        suggested_key: { default: 'Alt+Shift+S' },
        description: '__MSG_commandToggleTalk__',
      },
      // Chrome silently leaves a suggested key unassigned when it keeps the key for itself
      // (Alt+Shift+A, P, R and W are taken); e2e/page-shortcut-headed.e2e.ts checks this one is given.
      'talk-about-page': {
        suggested_key: { default: 'Alt+Shift+L' },
        description: '__MSG_commandTalkAboutPage__',
      },
    },
  }),
});
