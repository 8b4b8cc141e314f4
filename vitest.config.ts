import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Three projects, one `vitest run`: extension code (fakeBrowser, fake-indexeddb, happy-dom),
// the companion server over real HTTP, and the scripts' own stand-ins. The end-to-end suite
// against the built extension has its own config (e2e/vitest.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'extension',
          include: ['{utils,components,entrypoints}/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['fake-indexeddb/auto', 'core/testing/i18n-setup.ts'],
        },
      },
      {
        test: {
          name: 'companion',
          include: ['companion-server/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The stand-in's tests also drive extension modules (the corrections request) over real
        // HTTP; those need WXT's modules and a chrome.i18n, as in the extension project.
        plugins: [WxtVitest()],
        test: {
          name: 'script',
          setupFiles: ['core/testing/i18n-setup.ts'],
          include: ['script/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
