import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { UNTITLED } from '@/core/db/conversations';
import { applyInterfaceLanguage, setMessages } from '@/core/i18n';
import { titleOf } from './conversation-title';

const messagesOf = async (locale: string) =>
  generateChromeMessages(await parseMessagesFile(path.resolve(__dirname, `../../locales/${locale}.yml`)));

afterEach(async () => {
  await applyInterfaceLanguage('browser');
});

describe('a conversation’s title', () => {
  it('is “New conversation” in the interface’s language until it is named, and its own name after', async () => {
    expect(titleOf({ title: UNTITLED })).toBe('New conversation');
    setMessages('zh_CN', await messagesOf('zh_CN'), await messagesOf('en'));
    expect(titleOf({ title: UNTITLED })).toBe('新对话');
    expect(titleOf({ title: 'Yesterday I go to the park' })).toBe('Yesterday I go to the park');
  });
});
