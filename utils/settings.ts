import { storage } from 'wxt/utils/storage';
import { DEFAULT_COMPANION_PORT } from '../companion-server/src/port';
import type { ExplanationLanguage } from './correction-schema';

/**
 * The learner's settings, typed and versioned in one place. Everything lives in
 * storage.local: the API key in particular is never synced to other devices.
 */

export const DEFAULT_TEACHER_INSTRUCTIONS =
  'I want you to act as a spoken English teacher and improver. I will speak to you in English and you will reply to me in English to practice my spoken English. I want you to keep your reply neat, limiting the reply to 100 words. I want you to strictly correct my grammar mistakes, typos, and factual errors. I want you to ask me a question in your reply. Now let\'s start practicing, you could ask me a question first. Remember, I want you to strictly correct my grammar mistakes, typos, and factual errors.';

export const DEFAULT_API_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_COMPANION_URL = `http://127.0.0.1:${DEFAULT_COMPANION_PORT}`;

export interface Settings {
  apiBaseUrl: string;
  transcriptionModel: string;
  chatModel: string;
  companionUrl: string;
  /** Optional bearer token the companion was started with (--token). */
  companionToken: string;
  voice: string;
  speed: number;
  teacherInstructions: string;
  handsFree: boolean;
  /** "Explanations in": the language the correction card explains mistakes in. */
  explanationLanguage: ExplanationLanguage;
}

/** The browser's language decides the first default: Chinese speakers get 简体中文 explanations. */
export function defaultExplanationLanguage(languages: readonly string[] = globalThis.navigator?.languages ?? []): ExplanationLanguage {
  return languages[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const DEFAULT_SETTINGS: Settings = {
  apiBaseUrl: DEFAULT_API_BASE_URL,
  transcriptionModel: 'whisper-1',
  chatModel: 'gpt-4o-mini',
  companionUrl: DEFAULT_COMPANION_URL,
  companionToken: '',
  voice: '',
  speed: 1,
  teacherInstructions: DEFAULT_TEACHER_INSTRUCTIONS,
  handsFree: false,
  explanationLanguage: defaultExplanationLanguage(),
};

export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: 1,
});

/** Kept apart from the other settings so nothing that shows or exports settings carries it. */
export const apiKeyItem = storage.defineItem<string>('local:apiKey', { fallback: '' });

/** Settings saved by an older build may lack newer fields: fill them from the defaults. */
export async function loadSettings(): Promise<Settings> {
  return { ...DEFAULT_SETTINGS, ...(await settingsItem.getValue()) };
}

/**
 * A talk request from the keyboard shortcut, left in storage.session by the service worker so
 * that a panel opened by that same press (or already open) picks it up even if the worker
 * stops right after.
 */
export interface TalkRequest {
  id: string;
  at: number;
  /** The window the shortcut was pressed in; its panel answers, others ignore it. */
  windowId?: number;
}
export const talkRequestItem = storage.defineItem<TalkRequest | null>('session:talkRequest', {
  fallback: null,
});

/** Normalises a base URL the learner typed: trims spaces and trailing slashes. */
export function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** The host permission pattern a URL needs, e.g. https://api.groq.com/*. */
export function originPattern(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}/*`;
}
