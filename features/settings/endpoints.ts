import { ApiProblem, noKeyMessage } from '../../core/api-errors';
import { t } from '../../core/i18n';
import { isLoopback } from './providers';
import type { ApiKeys, Settings } from './settings';
import { transcribesWithCompanion } from './this-computer';

/**
 * Where each kind of request goes, with which key. Chat always goes to the API base URL;
 * transcription goes there too unless the learner set a transcription server.
 */
export interface Endpoint {
  role: 'chat' | 'transcription';
  baseUrl: string;
  /** '' when the learner typed none: allowed only for a server on this machine. */
  apiKey: string;
  model: string;
  /** The transcription has its own server (and its own fields in Settings). */
  separateServer: boolean;
  /** The transcription prompt (verbatim style); '' sends none. */
  prompt: string;
}

export interface ApiEndpoints {
  transcription: Endpoint;
  chat: Endpoint;
}

type EndpointSettings = Pick<
  Settings,
  | 'apiBaseUrl'
  | 'transcriptionUrl'
  | 'transcriptionModel'
  | 'chatModel'
  | 'transcriptionPrompt'
  | 'companionUrl'
  | 'companionToken'
>;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The one place the panel learns where to send a recording and a chat request. */
export function apiEndpoints(settings: EndpointSettings, keys: ApiKeys): ApiEndpoints {
  const apiKey = keys.apiKey.trim();
  const separateServer = settings.transcriptionUrl.trim() !== '' && settings.transcriptionUrl !== settings.apiBaseUrl;
  const transcriptionUrl = separateServer ? settings.transcriptionUrl : settings.apiBaseUrl;
  // A blank transcription key means "the API key" only on the API's own host: a key is never
  // sent to a host it was not typed for.
  // The companion takes the token it was started with, as its voice does (core/companion-client.ts):
  // a transcription key typed for another server is not sent there.
  const transcriptionKey = !separateServer
    ? apiKey
    : transcribesWithCompanion(settings)
      ? settings.companionToken.trim()
      : keys.transcriptionKey.trim() || (hostOf(transcriptionUrl) === hostOf(settings.apiBaseUrl) ? apiKey : '');
  return {
    chat: {
      role: 'chat',
      baseUrl: settings.apiBaseUrl,
      apiKey,
      model: settings.chatModel,
      separateServer: false,
      prompt: '',
    },
    transcription: {
      role: 'transcription',
      baseUrl: transcriptionUrl,
      apiKey: transcriptionKey,
      model: settings.transcriptionModel,
      separateServer,
      prompt: settings.transcriptionPrompt.trim(),
    },
  };
}

/** The problem to show before sending anything, when an endpoint off this machine has no key. */
export function missingKey(endpoint: Endpoint): ApiProblem | null {
  if (endpoint.apiKey || isLoopback(endpoint.baseUrl)) return null;
  if (endpoint.separateServer) {
    return new ApiProblem('no-key', t('apiError.noTranscriptionKey'));
  }
  return new ApiProblem('no-key', noKeyMessage());
}

/** Both endpoints can be called: what the panel needs before recording. */
export function endpointsReady(endpoints: ApiEndpoints): boolean {
  return !missingKey(endpoints.chat) && !missingKey(endpoints.transcription);
}
