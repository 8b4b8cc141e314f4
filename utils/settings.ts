import { storage } from 'wxt/utils/storage';
import type { CaptureResult } from './page-capture';
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

/**
 * A short transcript in a learner's own style, mistakes and fillers left in: Whisper continues the
 * style of its prompt, and without one it tends to write what the speaker meant rather than what
 * they said. Kept short and neutral: long prompts have truncated output elsewhere, and some
 * openers ("I'm…") seeded hallucination loops.
 */
export const DEFAULT_TRANSCRIPTION_PROMPT = 'Um, so yesterday I go to the park, and, uh, I buyed a ice cream.';

export interface Settings {
  /** The chat server (and the transcription server unless `transcriptionUrl` is set). */
  apiBaseUrl: string;
  /** A separate transcription server; '' sends recordings to `apiBaseUrl`. */
  transcriptionUrl: string;
  transcriptionModel: string;
  /** Tells the transcription to write what was said, mistakes included; '' sends no prompt. */
  transcriptionPrompt: string;
  chatModel: string;
  companionUrl: string;
  /** Optional bearer token the companion was started with (--token). */
  companionToken: string;
  voice: string;
  speed: number;
  teacherInstructions: string;
  handsFree: boolean;
  /** Delete the audio of recordings older than this many days; 0 keeps them all. */
  recordingRetentionDays: number;
  /** "Explanations in": the language the correction card explains mistakes in. */
  explanationLanguage: ExplanationLanguage;
}

/** The browser's language decides the first default: Chinese speakers get 简体中文 explanations. */
export function defaultExplanationLanguage(languages: readonly string[] = globalThis.navigator?.languages ?? []): ExplanationLanguage {
  return languages[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const DEFAULT_SETTINGS: Settings = {
  apiBaseUrl: DEFAULT_API_BASE_URL,
  transcriptionUrl: '',
  transcriptionModel: 'whisper-1',
  transcriptionPrompt: DEFAULT_TRANSCRIPTION_PROMPT,
  chatModel: 'gpt-4o-mini',
  companionUrl: DEFAULT_COMPANION_URL,
  companionToken: '',
  voice: '',
  speed: 1,
  teacherInstructions: DEFAULT_TEACHER_INSTRUCTIONS,
  handsFree: false,
  recordingRetentionDays: 0,
  explanationLanguage: defaultExplanationLanguage(),
};

/** What version 1 stored: one server for everything, no transcription prompt, every recording kept. */
export type SettingsV1 = Omit<
  Settings,
  'transcriptionUrl' | 'transcriptionPrompt' | 'recordingRetentionDays' | 'explanationLanguage'
>;

export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: 2,
  migrations: {
    // Version 2: transcription may go to its own server, and asks for a verbatim transcript;
    // old recordings may be deleted after some days (off: 0, from the defaults); corrections are
    // explained in the browser's language (from the defaults).
    2: (old: Partial<SettingsV1>): Settings => ({
      ...DEFAULT_SETTINGS,
      ...old,
      transcriptionUrl: '',
      transcriptionPrompt: DEFAULT_TRANSCRIPTION_PROMPT,
    }),
  },
});

/** Kept apart from the other settings so nothing that shows or exports settings carries it. */
export const apiKeyItem = storage.defineItem<string>('local:apiKey', { fallback: '' });

/** The transcription server's own key; '' means the API key, and only on the API's own host. */
export const transcriptionKeyItem = storage.defineItem<string>('local:transcriptionKey', { fallback: '' });

/** The keys a turn needs, read together so both endpoints are built from one moment's values. */
export interface ApiKeys {
  apiKey: string;
  transcriptionKey: string;
}

export async function loadApiKeys(): Promise<ApiKeys> {
  const [apiKey, transcriptionKey] = await Promise.all([apiKeyItem.getValue(), transcriptionKeyItem.getValue()]);
  return { apiKey, transcriptionKey };
}

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

/** What the learner asked to do with a page: talk about it, read the selection aloud, or ask what it means. */
export type PageAction = 'talk' | 'read-aloud' | 'meaning';

/**
 * A page read at the learner's request (the page shortcut or a menu item), passed to the panel
 * the way a talk press is: directly, and through storage.session for a panel the same press is
 * only opening.
 */
export interface PageRequest {
  id: string;
  at: number;
  windowId?: number;
  action: PageAction;
  result: CaptureResult;
}
export const pageRequestItem = storage.defineItem<PageRequest | null>('session:pageRequest', {
  fallback: null,
});
