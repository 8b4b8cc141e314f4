/**
 * "This computer": transcription by the companion, chat by Ollama or LM Studio, the voice by the companion —
 * one choice in Settings sets all three (issue 22), and the panel says "Nothing leaves this computer" when every
 * server in use is on it.
 */
import { isLoopback, providerById, sameServer } from './providers';
import { DEFAULT_COMPANION_URL, normaliseUrl, type Settings } from './settings';

/** The Whisper model a companion started with `--stt` loads when given no `--stt-model`. */
export const COMPANION_STT_MODEL = 'tiny.en';

/** The chat servers the preset offers: their existing presets in providers.ts. */
export const LOCAL_CHATS = ['ollama', 'lmstudio'] as const;
export type LocalChat = (typeof LOCAL_CHATS)[number];

/** The companion serves transcription at its own address, under /v1 (OpenAI's path). */
export function companionTranscriptionUrl(companionUrl: string): string {
  return `${normaliseUrl(companionUrl)}/v1`;
}

/** The learner's recordings go to the companion (and so carry its token, not a transcription key). */
export function transcribesWithCompanion(settings: Pick<Settings, 'transcriptionUrl' | 'companionUrl'>): boolean {
  const url = settings.transcriptionUrl.trim();
  return url !== '' && sameServer(url, companionTranscriptionUrl(settings.companionUrl));
}

/**
 * The settings with everything on this computer: the given chat server's preset, the companion for
 * transcription and voice. A companion already on this computer keeps its address (another port);
 * one elsewhere gives way to the default. The rest (keys, voice, prompts) stays as the learner set it.
 */
export function thisComputerSettings(settings: Settings, chat: LocalChat): Settings {
  const preset = providerById(chat);
  const companionUrl = isLoopback(settings.companionUrl) ? normaliseUrl(settings.companionUrl) : DEFAULT_COMPANION_URL;
  return {
    ...settings,
    apiBaseUrl: preset?.baseUrl ?? settings.apiBaseUrl,
    chatModel: preset?.chatModel ?? settings.chatModel,
    companionUrl,
    transcriptionUrl: companionTranscriptionUrl(companionUrl),
    transcriptionModel: COMPANION_STT_MODEL,
  };
}

/** The companion moved (another port): transcription by the companion follows it, so the two never part. */
export function withCompanionUrl(settings: Settings, companionUrl: string): Settings {
  if (!transcribesWithCompanion(settings)) return { ...settings, companionUrl };
  return { ...settings, companionUrl, transcriptionUrl: companionTranscriptionUrl(companionUrl) };
}

/** Which "This computer" setup the settings are, for the choice to show; null once the learner changed a part. */
export function thisComputerChoice(settings: Settings): LocalChat | null {
  if (!transcribesWithCompanion(settings) || !isLoopback(settings.companionUrl)) return null;
  return LOCAL_CHATS.find((id) => sameServer(settings.apiBaseUrl, providerById(id)?.baseUrl ?? '')) ?? null;
}

/** The servers a conversation uses. Corrections, meanings and the page go to the chat server. */
export type ServerRole = 'transcription' | 'chat' | 'voice';

export interface ServerInUse {
  role: ServerRole;
  url: string;
  /** As the learner would recognise it: the host and port. */
  host: string;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function serversInUse(
  settings: Pick<Settings, 'apiBaseUrl' | 'transcriptionUrl' | 'companionUrl'>,
): ServerInUse[] {
  const transcription = settings.transcriptionUrl.trim() || settings.apiBaseUrl;
  return [
    { role: 'transcription', url: transcription, host: hostOf(transcription) },
    { role: 'chat', url: settings.apiBaseUrl, host: hostOf(settings.apiBaseUrl) },
    { role: 'voice', url: settings.companionUrl, host: hostOf(settings.companionUrl) },
  ];
}

/** The servers in use that are not on this computer; none means nothing the learner says or reads leaves it. */
export function serversLeaving(
  settings: Pick<Settings, 'apiBaseUrl' | 'transcriptionUrl' | 'companionUrl'>,
): ServerInUse[] {
  return serversInUse(settings).filter((server) => !isLoopback(server.url));
}
