import { signal } from '@preact/signals';
import { i18n, type GeneratedI18nStructure } from '#i18n';
import { browser } from 'wxt/browser';

/**
 * The one way AITalk's pages get a string: `t(key, …)`, with @wxt-dev/i18n's signature and
 * typed keys, over the messages it builds from locales/*.yml into _locales/.
 *
 * chrome.i18n only ever follows the browser's UI language, so the "Interface language" setting
 * needs a second path: when the learner picks a language, the same _locales/<locale>/messages.json
 * Chrome reads is fetched once and looked up here with the same rules (Chrome's $1 substitutions,
 * @wxt-dev/i18n's " | " plural forms and {named} substitutions). "Browser" goes back to chrome.i18n.
 */

export const LOCALES = ['en', 'zh_CN'] as const;
export type Locale = (typeof LOCALES)[number];
/** The setting: follow the browser, or one of the locales. */
export type InterfaceLanguage = 'browser' | Locale;

/** What each language is called in its own language, as the switch shows it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', zh_CN: '简体中文' };

type ChromeMessages = Record<string, { message: string } | undefined>;
interface Table {
  locale: Locale;
  messages: ChromeMessages;
  /** The default locale's messages, for a key a translation lacks (as Chrome falls back). */
  fallback: ChromeMessages;
}

/** Read during render, so every component that calls t() re-renders when the language changes. */
const table = signal<Table | null>(null);
/** Each locale's file is fetched once per page. */
const fetched = new Map<Locale, Promise<ChromeMessages>>();

type Substitution = string | number;
type Named = Record<string, Substitution>;

function lookup(current: Table, key: string, args: unknown[]): string {
  let count: number | undefined;
  let subs: string[] | undefined;
  let named: Named | undefined;
  for (const arg of args) {
    if (typeof arg === 'number') count = arg;
    else if (Array.isArray(arg)) subs = arg.map(String);
    else if (arg && typeof arg === 'object') named = arg as Named;
  }
  if (count !== undefined && subs === undefined) subs = [String(count)];
  const name = key.replaceAll('.', '_');
  const raw = current.messages[name]?.message ?? current.fallback[name]?.message;
  if (raw === undefined) {
    console.warn(`[i18n] Message not found: "${key}"`);
    return '';
  }
  let message = raw.replace(/\$(\$|[1-9])/g, (_, which: string) =>
    which === '$' ? '$' : (subs?.[Number(which) - 1] ?? ''),
  );
  if (count !== undefined) {
    const forms = message.split(' | ');
    if (forms.length === 2) message = forms[count === 1 ? 0 : 1] ?? message;
    else if (forms.length === 3) message = forms[count === 0 || count === 1 ? count : 2] ?? message;
  }
  if (!named) return message;
  const values = named;
  return message.replace(/\{([A-Za-z0-9_]+)\}/g, (match, field: string) =>
    Object.prototype.hasOwnProperty.call(values, field) ? String(values[field]) : match,
  );
}

export const t: typeof i18n.t = ((key: string, ...args: unknown[]): string => {
  const current = table.value;
  if (current) return lookup(current, key, args);
  return (i18n.t as (key: string, ...rest: unknown[]) => string)(key, ...args);
}) as typeof i18n.t;

export type MessageKey = keyof GeneratedI18nStructure;

/** Installs a locale's messages directly (unit tests, which have no extension files to fetch). */
export function setMessages(locale: Locale, messages: ChromeMessages, fallback: ChromeMessages = messages): void {
  table.value = { locale, messages, fallback };
}

function fetchMessages(locale: Locale): Promise<ChromeMessages> {
  let messages = fetched.get(locale);
  if (!messages) {
    const url = browser.runtime.getURL(`/_locales/${locale}/messages.json` as '/');
    messages = fetch(url).then(async (response) => {
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return (await response.json()) as ChromeMessages;
    });
    void messages.catch(() => fetched.delete(locale));
    fetched.set(locale, messages);
  }
  return messages;
}

/** The locale the browser's own UI is in, as chrome.i18n would choose between ours. */
export function browserLocale(): Locale {
  const ui = browser.i18n.getUILanguage().toLowerCase();
  return ui.startsWith('zh') ? 'zh_CN' : 'en';
}

/** The locale strings come from now: for `<html lang>`, dates and the teacher's explanation language. */
export function currentLocale(): Locale {
  return table.value?.locale ?? browserLocale();
}

/** The BCP 47 tag of the current locale (`zh-CN`), for `lang` attributes and Intl. */
export function currentLanguageTag(): string {
  return currentLocale().replace('_', '-');
}

/**
 * Switches every string to `choice`. A failed fetch keeps the browser's language (chrome.i18n
 * still works) rather than leaving the learner with blank labels.
 */
export async function applyInterfaceLanguage(choice: InterfaceLanguage): Promise<void> {
  if (choice === 'browser' || choice === browserLocale()) {
    table.value = null;
  } else {
    try {
      const [messages, fallback] = await Promise.all([
        fetchMessages(choice),
        choice === 'en' ? null : fetchMessages('en'),
      ]);
      table.value = { locale: choice, messages, fallback: fallback ?? messages };
    } catch (error) {
      console.warn('AITalk: could not load the interface language; following the browser', error);
      table.value = null;
    }
  }
  if (typeof document !== 'undefined') document.documentElement.lang = currentLanguageTag();
}

/** Other locales' messages, fetched when some text must be in a language other than the interface's. */
const others = signal<Partial<Record<Locale, ChromeMessages>>>({});
/** Asked for once per page: a file that cannot be read is not asked for again on every render. */
const othersAsked = new Set<Locale>();

/**
 * A string in `locale`, whatever the interface language: for teaching text that follows Settings ›
 * Explanations in (features/pronunciation/hints.ts). The first call for a locale fetches its file; until it is
 * in (or if it cannot be read) the string comes in the interface language rather than not at all.
 */
export function tIn(locale: Locale, key: MessageKey, named?: Named): string {
  if (locale === currentLocale())
    return (t as (key: string, ...args: unknown[]) => string)(key, ...(named ? [named] : []));
  // A chosen interface language other than English already holds the English messages as its fallback.
  const messages = others.value[locale] ?? (locale === 'en' ? table.value?.fallback : undefined);
  if (messages) {
    const fallback = locale === 'en' ? messages : (others.value.en ?? table.value?.fallback ?? messages);
    return lookup({ locale, messages, fallback }, key, named ? [named] : []);
  }
  if (!othersAsked.has(locale)) {
    othersAsked.add(locale);
    fetchMessages(locale)
      .then((loaded) => (others.value = { ...others.value, [locale]: loaded }))
      .catch((error: unknown) => console.warn(`AITalk: could not load the ${locale} messages`, error));
  }
  return (t as (key: string, ...args: unknown[]) => string)(key, ...(named ? [named] : []));
}

/** Installs another locale's messages for tIn directly (unit tests, which have no extension files to fetch). */
export function setOtherMessages(locale: Locale, messages: ChromeMessages): void {
  others.value = { ...others.value, [locale]: messages };
}
