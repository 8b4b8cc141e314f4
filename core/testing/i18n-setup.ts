import path from 'node:path';
import { beforeAll } from 'vitest';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';

/**
 * Unit tests have no built extension, and fakeBrowser has no chrome.i18n: this gives it one, in
 * English, over the messages the build writes to _locales/en/messages.json (made by the same
 * code from locales/en.yml), with Chrome's $1…$9 substitution rules. Installed in a hook, after
 * WxtVitest has put the fake browser in place.
 */
beforeAll(async () => {
  const { fakeBrowser } = await import('wxt/testing/fake-browser');
  const messages = generateChromeMessages(await parseMessagesFile(path.resolve(__dirname, '../../locales/en.yml')));
  fakeBrowser.i18n.getUILanguage = () => 'en-US';
  fakeBrowser.i18n.getMessage = (name: string, substitutions?: string | string[]) => {
    const subs = typeof substitutions === 'string' ? [substitutions] : (substitutions ?? []);
    const message = messages[name]?.message ?? '';
    return message.replace(/\$(\$|[1-9])/g, (_, which: string) =>
      which === '$' ? '$' : (subs[Number(which) - 1] ?? ''),
    );
  };
});
