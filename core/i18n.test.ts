import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateChromeMessages, parseMessagesFile, type ParsedMessage } from '@wxt-dev/i18n/build';
import { applyInterfaceLanguage, setMessages, t } from './i18n';

const localeFile = (locale: string) => path.resolve(__dirname, `../locales/${locale}.yml`);

function shape(messages: ParsedMessage[]) {
  return new Map(
    messages.map((message) => [
      message.key.join('.'),
      {
        plural: message.type === 'plural',
        named: [...message.namedSubstitutions].sort(),
        substitutions: message.substitutions,
      },
    ]),
  );
}

afterEach(async () => {
  await applyInterfaceLanguage('browser');
});

describe('the interface strings', () => {
  it('exist in English and 简体中文 with the same keys, placeholders and plural forms (nothing left untranslated)', async () => {
    const en = shape(await parseMessagesFile(localeFile('en')));
    const zh = shape(await parseMessagesFile(localeFile('zh_CN')));
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, features] of en) expect({ key, ...zh.get(key) }).toEqual({ key, ...features });
  });

  it('are Chinese in the Chinese file wherever English words are not the point', async () => {
    const zh = await parseMessagesFile(localeFile('zh_CN'));
    // Names of products, levels and addresses may stay as they are; every sentence is translated.
    const untranslated = zh.flatMap((message) =>
      message.type === 'simple' &&
      /[a-z]{3,} [a-z]{3,} [a-z]{3,}/i.test(message.message) &&
      !/[\u4e00-\u9fff]/.test(message.message)
        ? [message.key.join('.')]
        : [],
    );
    expect(untranslated).toEqual([]);
  });

  it('follow the browser through chrome.i18n, plurals included', () => {
    expect(t('talk.button.idle')).toBe('Talk');
    expect(t('storage.usage', 1, { size: '12 kB' })).toBe('1 recording takes 12 kB in this browser.');
    expect(t('storage.usage', 3, { size: '3.4 MB' })).toBe('3 recordings take 3.4 MB in this browser.');
  });

  it('follow the learner’s choice of 简体中文 over the same message files, and fall back to English for a missing key', async () => {
    const en = generateChromeMessages(await parseMessagesFile(localeFile('en')));
    const zh = generateChromeMessages(await parseMessagesFile(localeFile('zh_CN')));
    const { ['talk.micLevel'.replace('.', '_')]: _dropped, ...zhWithGap } = zh;
    setMessages('zh_CN', zhWithGap, en);
    expect(t('talk.button.idle')).toBe('说话');
    expect(t('storage.usage', 3, { size: '3.4 MB' })).toBe('3 段录音在这个浏览器中占用 3.4 MB。');
    expect(t('apiError.rateLimited', { host: 'api.groq.com' })).toBe(
      'api.groq.com 正在限制你的密钥的请求频率（429）。请稍等片刻，然后按“重试”。',
    );
    expect(t('talk.micLevel')).toBe('Microphone level');
  });
});
