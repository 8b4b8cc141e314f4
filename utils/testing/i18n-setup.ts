import path from 'node:path';
import { beforeAll } from 'vitest';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';

// Unit tests have no built extension and fakeBrowser has no chrome.i18n: the English strings come
// from the same locales/en.yml the build turns into _locales/en/messages.json, by the same code.
// Imported in a hook, after WxtVitest has put the fake browser in place.
beforeAll(async () => {
  const { setMessages } = await import('../i18n');
  setMessages('en', generateChromeMessages(await parseMessagesFile(path.resolve(__dirname, '../../locales/en.yml'))));
});
