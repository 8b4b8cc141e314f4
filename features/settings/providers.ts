/**
 * OpenAI-compatible providers the Settings form offers as presets: where each lives, which models
 * to start from, and what it can do. Model names are starting points; Test connection checks them
 * against the server's own `GET /models`.
 */
import { t } from '../../core/i18n';

export type Capability = 'chat' | 'transcription' | 'json_schema';

export type ProviderId =
  | 'openai'
  | 'groq'
  | 'deepseek'
  | 'siliconflow'
  | 'openrouter'
  | 'ollama'
  | 'lmstudio'
  | 'local-whisper';

/** The notes under provider.note in locales/*.yml. */
export type ProviderNote = 'groq' | 'deepseek' | 'siliconflow' | 'openrouter' | 'ollama' | 'lmstudio' | 'localWhisper';

export interface ProviderPreset {
  id: ProviderId;
  name: string;
  baseUrl: string;
  capabilities: readonly Capability[];
  chatModel?: string;
  transcriptionModel?: string;
  /** Servers on this machine need none; any key typed is still sent only to them. */
  keyRequired: boolean;
  /** Where the learner gets a key, shown beside the key field. */
  keyPage?: string;
  /** One line the learner needs to know before choosing it (a key of locales/*.yml). */
  note?: ProviderNote;
}

export const PROVIDERS: readonly ProviderPreset[] = [
  {
    id: 'openai',
    name: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    capabilities: ['chat', 'transcription', 'json_schema'],
    chatModel: 'gpt-4o-mini',
    transcriptionModel: 'whisper-1',
    keyRequired: true,
    keyPage: 'platform.openai.com/api-keys',
  },
  {
    id: 'groq',
    name: 'Groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    capabilities: ['chat', 'transcription'],
    chatModel: 'llama-3.3-70b-versatile',
    transcriptionModel: 'whisper-large-v3-turbo',
    keyRequired: true,
    keyPage: 'console.groq.com/keys',
    note: 'groq',
  },
  {
    id: 'deepseek',
    name: 'DeepSeek',
    baseUrl: 'https://api.deepseek.com/v1',
    capabilities: ['chat'],
    chatModel: 'deepseek-chat',
    keyRequired: true,
    keyPage: 'platform.deepseek.com/api_keys',
    note: 'deepseek',
  },
  {
    id: 'siliconflow',
    name: 'SiliconFlow',
    baseUrl: 'https://api.siliconflow.cn/v1',
    capabilities: ['chat', 'transcription'],
    chatModel: 'Qwen/Qwen2.5-7B-Instruct',
    transcriptionModel: 'FunAudioLLM/SenseVoiceSmall',
    keyRequired: true,
    keyPage: 'cloud.siliconflow.cn/account/ak',
    note: 'siliconflow',
  },
  {
    id: 'openrouter',
    name: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    capabilities: ['chat', 'json_schema'],
    chatModel: 'openai/gpt-4o-mini',
    keyRequired: true,
    keyPage: 'openrouter.ai/keys',
    note: 'openrouter',
  },
  {
    id: 'ollama',
    name: 'Ollama (this computer)',
    baseUrl: 'http://localhost:11434/v1',
    capabilities: ['chat', 'json_schema'],
    chatModel: 'llama3.2',
    keyRequired: false,
    note: 'ollama',
  },
  {
    id: 'lmstudio',
    name: 'LM Studio (this computer)',
    baseUrl: 'http://localhost:1234/v1',
    capabilities: ['chat', 'json_schema'],
    chatModel: 'qwen2.5-7b-instruct',
    keyRequired: false,
    note: 'lmstudio',
  },
  {
    id: 'local-whisper',
    name: 'Local Whisper server (Speaches / faster-whisper-server)',
    baseUrl: 'http://localhost:8000/v1',
    capabilities: ['transcription'],
    transcriptionModel: 'Systran/faster-whisper-small.en',
    keyRequired: false,
    note: 'localWhisper',
  },
];

export function providerById(id: string): ProviderPreset | undefined {
  return PROVIDERS.find((provider) => provider.id === id);
}

/** The preset a base URL belongs to, if the learner (or a preset) typed one of ours. */
export function providerForUrl(url: string): ProviderPreset | undefined {
  const wanted = comparable(url);
  return PROVIDERS.find((provider) => comparable(provider.baseUrl) === wanted);
}

export function can(provider: ProviderPreset | undefined, capability: Capability): boolean {
  return provider?.capabilities.includes(capability) ?? false;
}

export const CHAT_PROVIDERS = PROVIDERS.filter((provider) => can(provider, 'chat'));
export const TRANSCRIPTION_PROVIDERS = PROVIDERS.filter((provider) => can(provider, 'transcription'));

/** "chat, transcription and json_schema", for the line under the Provider choice. */
export function describeCapabilities(provider: ProviderPreset): string {
  const [first, second, third] = provider.capabilities.map((capability) => t(`provider.capability.${capability}`));
  if (third !== undefined && second !== undefined && first !== undefined)
    return t('provider.capabilitiesThree', { first, second, third });
  if (second !== undefined && first !== undefined) return t('provider.capabilitiesTwo', { first, second });
  return first ?? '';
}

export function providerNote(provider: ProviderPreset): string {
  return provider.note ? t(`provider.note.${provider.note}`) : '';
}

function comparable(url: string): string {
  try {
    const parsed = new URL(url.trim());
    const host = parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]' ? 'localhost' : parsed.hostname;
    return `${parsed.protocol}//${host}:${parsed.port}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.trim();
  }
}

/** Two addresses of the same server, however the learner typed them (127.0.0.1 and localhost alike). */
export function sameServer(a: string, b: string): boolean {
  return comparable(a) === comparable(b);
}

import { isLoopback } from '../../common/loopback';

export { isLoopback };

/**
 * Why an API or transcription address cannot be used, or null when it can. Plain http is refused
 * off this machine: the key would cross the network in clear text.
 */
export function apiUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return t('provider.notAddress');
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol !== 'http:') return t('provider.useHttps');
  if (isLoopback(value)) return null;
  return t('provider.clearText', { host: url.hostname });
}
