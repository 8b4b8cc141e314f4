import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { applyInterfaceLanguage, setMessages, t } from '@/core/i18n';
import { HARD_SOUNDS } from '@/core/pronunciation';
import { adviceFor, hintKey, soundHint, soundNameKey } from './hints';

const localeFile = (locale: string) => path.resolve(__dirname, `../../locales/${locale}.yml`);

async function messagesOf(locale: string): Promise<Map<string, string>> {
  const parsed = await parseMessagesFile(localeFile(locale));
  return new Map(parsed.flatMap((m) => (m.type === 'simple' ? [[m.key.join('.'), m.message] as const] : [])));
}

describe('the hints for the hard sounds', () => {
  it('exist for every sound, in English and in 简体中文, each its own', async () => {
    const en = await messagesOf('en');
    const zh = await messagesOf('zh_CN');
    for (const { id } of HARD_SOUNDS) {
      for (const key of [hintKey(id), soundNameKey(id)]) {
        expect({ id, key, en: (en.get(key) ?? '').length > 10 }).toEqual({ id, key, en: true });
        expect({ id, key, zh: /[\u4e00-\u9fff]/.test(zh.get(key) ?? '') }).toEqual({ id, key, zh: true });
      }
    }
    // No two sounds share a hint: each says what to do for that sound.
    expect(new Set(HARD_SOUNDS.map(({ id }) => en.get(hintKey(id)))).size).toBe(HARD_SOUNDS.length);
    expect(new Set(HARD_SOUNDS.map(({ id }) => zh.get(hintKey(id)))).size).toBe(HARD_SOUNDS.length);
  });

  it('name each sound with its IPA where it is one phone', async () => {
    const en = await messagesOf('en');
    const zh = await messagesOf('zh_CN');
    for (const sound of HARD_SOUNDS.filter((s) => s.arpabet)) {
      expect(en.get(soundNameKey(sound.id))).toContain(`/${sound.ipa}/`);
      expect(zh.get(soundNameKey(sound.id))).toContain(`/${sound.ipa}/`);
    }
  });
});

describe('the language of the hints', () => {
  afterEach(async () => {
    await applyInterfaceLanguage('browser');
  });

  it('is Settings › Explanations in, not the interface language', async () => {
    const en = generateChromeMessages(await parseMessagesFile(localeFile('en')));
    const zh = generateChromeMessages(await parseMessagesFile(localeFile('zh_CN')));
    setMessages('zh_CN', zh, en);
    expect(t('pronunciation.soundsTitle')).toBe('需要练习的音');
    expect(soundHint('r', 'en')).toMatch(/^Curl your tongue tip back/);
    expect(soundHint('r', 'zh-CN')).toMatch(/^舌尖向后卷起/);
    expect(adviceFor({ sound: 'v', ipa: 'v', word: 'very', heardInstead: 'w', kind: 'substituted' }, 'en')).toEqual({
      heading: '/v/ in “very”',
      heard: 'It sounded closer to /w/.',
      hint: 'Rest your upper teeth on your lower lip and buzz. Do not round your lips, or it becomes /w/.',
    });
  });
});
