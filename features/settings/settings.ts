import { storage } from 'wxt/utils/storage';
import type { CaptureResult } from '../page/page-capture';
import { DEFAULT_COMPANION_PORT } from '../../common/companion-port';
import type { ExplanationLanguage } from '../corrections/correction-schema';
import type { InterfaceLanguage } from '../../core/i18n';
import { ORIGINAL_TEACHER_PROMPT, type Level, type Scenario, type TeacherStyle } from '../talk/teacher-prompt';

/**
 * The learner's settings, typed and versioned in one place. Everything lives in
 * storage.local: the API key in particular is never synced to other devices.
 */

/** What "My own instructions" starts from: the original prompt, for the learner to edit. */
export const DEFAULT_TEACHER_INSTRUCTIONS = ORIGINAL_TEACHER_PROMPT;

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
  /** The learner's own instructions, used when `teacherStyle` is 'custom'. */
  teacherInstructions: string;
  /** Level: the teacher's words, sentence and reply length, and the voice's speed. */
  level: Level;
  /** Scenario: the role the teacher plays and its opening question. */
  scenario: Scenario;
  /** The topic of the scenario 'own'. */
  ownTopic: string;
  teacherStyle: TeacherStyle;
  /** "Interface language": the browser's, or one the learner chose. */
  interfaceLanguage: InterfaceLanguage;
  /** Listening practice: a reply's text appears only once it has been spoken. */
  hideTextUntilHeard: boolean;
  /** The guided start was finished or skipped; it stays reachable from the header. */
  guidedStartDone: boolean;
  handsFree: boolean;
  /** Delete the audio of recordings older than this many days; 0 keeps them all. */
  recordingRetentionDays: number;
  /** "Explanations in": the language the correction card explains mistakes in. */
  explanationLanguage: ExplanationLanguage;
  /**
   * "The teacher remembers you" (features/memory/): kept facts, recurring mistakes and the session's
   * focus go into the teacher's instructions, and facts are proposed at a conversation's end.
   */
  memory: boolean;
}

/** The browser's language decides the first default: Chinese speakers get 简体中文 explanations. */
export function defaultExplanationLanguage(
  languages: readonly string[] = globalThis.navigator?.languages ?? [],
): ExplanationLanguage {
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
  level: 'B1',
  scenario: 'free',
  ownTopic: '',
  teacherStyle: 'shaped',
  interfaceLanguage: 'browser',
  hideTextUntilHeard: false,
  guidedStartDone: false,
  handsFree: false,
  recordingRetentionDays: 0,
  explanationLanguage: defaultExplanationLanguage(),
  memory: true,
};

/** What version 1 stored: one server for everything, no transcription prompt, every recording kept. */
export type SettingsV1 = Omit<
  SettingsV2,
  'transcriptionUrl' | 'transcriptionPrompt' | 'recordingRetentionDays' | 'explanationLanguage'
>;

/** What version 2 stored: the teacher was told `teacherInstructions` alone, and no guided start. */
export type SettingsV2 = Omit<
  Settings,
  | 'level'
  | 'scenario'
  | 'ownTopic'
  | 'teacherStyle'
  | 'interfaceLanguage'
  | 'hideTextUntilHeard'
  | 'guidedStartDone'
  | 'memory'
>;

export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: 3,
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
    // Version 3: the teacher is shaped by level and scenario. Instructions the learner had edited
    // stay theirs ('custom'); the untouched 2023 prompt gives way to the shaped teacher (it stays
    // a preset). Someone who already set AITalk up does not need the guided start.
    3: (old: Partial<SettingsV2>): Settings => ({
      ...DEFAULT_SETTINGS,
      ...old,
      teacherStyle:
        old.teacherInstructions && old.teacherInstructions.trim() !== ORIGINAL_TEACHER_PROMPT ? 'custom' : 'shaped',
      guidedStartDone: true,
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
