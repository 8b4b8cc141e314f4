import type { Signal } from '@preact/signals';
import type { JSX } from 'preact';
import {
  CHAT_PROVIDERS,
  TRANSCRIPTION_PROVIDERS,
  can,
  describeCapabilities,
  providerById,
  providerForUrl,
  type ProviderPreset,
} from '@/utils/providers';
import type { Settings } from '@/utils/settings';

type Field = keyof Pick<Settings, 'apiBaseUrl' | 'transcriptionUrl' | 'transcriptionModel' | 'transcriptionPrompt' | 'chatModel'>;

const CUSTOM = 'custom';
const SAME = 'same';

function ProviderHelp({ provider }: { provider: ProviderPreset }) {
  return (
    <p class="help">
      {provider.name} can do {describeCapabilities(provider)}.{provider.note ? ` ${provider.note}` : ''}
      {provider.keyPage ? ` Key: ${provider.keyPage}` : ''}
    </p>
  );
}

/**
 * Where chat and transcription go: a Provider preset for the chat server (which also transcribes
 * unless a transcription server is set), and the optional transcription server with its own key.
 */
export function ProviderFields({
  draft,
  apiKey,
  transcriptionKey,
}: {
  draft: Signal<Settings>;
  apiKey: Signal<string>;
  transcriptionKey: Signal<string>;
}) {
  const s = draft.value;
  const chatProvider = providerForUrl(s.apiBaseUrl);
  const transcriptionProvider = s.transcriptionUrl ? providerForUrl(s.transcriptionUrl) : undefined;
  const needsTranscriptionServer = !s.transcriptionUrl && chatProvider !== undefined && !can(chatProvider, 'transcription');

  const set = (field: Field) => (event: JSX.TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    draft.value = { ...draft.value, [field]: event.currentTarget.value };
  };

  function chooseProvider(id: string) {
    const provider = providerById(id);
    if (!provider) return; // "Other": the learner types the address below
    const next = { ...draft.value, apiBaseUrl: provider.baseUrl, chatModel: provider.chatModel ?? draft.value.chatModel };
    if (!next.transcriptionUrl && provider.transcriptionModel) next.transcriptionModel = provider.transcriptionModel;
    draft.value = next;
  }

  function chooseTranscription(id: string) {
    if (id === SAME) {
      draft.value = { ...draft.value, transcriptionUrl: '', transcriptionModel: chatProvider?.transcriptionModel ?? draft.value.transcriptionModel };
      return;
    }
    const provider = providerById(id);
    if (!provider) {
      document.getElementById('transcription-url')?.focus();
      return;
    }
    draft.value = { ...draft.value, transcriptionUrl: provider.baseUrl, transcriptionModel: provider.transcriptionModel ?? draft.value.transcriptionModel };
  }

  return (
    <>
      <label for="provider">Provider</label>
      <select id="provider" value={chatProvider?.id ?? CUSTOM} onChange={(e) => chooseProvider(e.currentTarget.value)}>
        {CHAT_PROVIDERS.map((provider) => (
          <option key={provider.id} value={provider.id}>
            {provider.name}
          </option>
        ))}
        <option value={CUSTOM}>Other (type its address below)</option>
      </select>
      {chatProvider && <ProviderHelp provider={chatProvider} />}
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        spellcheck={false}
        value={apiKey.value}
        onInput={(e) => (apiKey.value = e.currentTarget.value)}
        aria-describedby="api-key-help"
      />
      <p id="api-key-help" class="help">
        Kept only in this browser, sent only to the API base URL below. A server on this computer needs none.
      </p>
      <label for="api-base-url">API base URL</label>
      <input id="api-base-url" type="url" value={s.apiBaseUrl} onInput={set('apiBaseUrl')} />
      <p class="help">Any OpenAI-compatible server; https:// unless it runs on this computer.</p>
      <label for="chat-model">Chat model</label>
      <input id="chat-model" value={s.chatModel} onInput={set('chatModel')} />

      <label for="transcription-provider">Transcription server</label>
      <select
        id="transcription-provider"
        value={s.transcriptionUrl ? (transcriptionProvider?.id ?? CUSTOM) : SAME}
        onChange={(e) => chooseTranscription(e.currentTarget.value)}
      >
        <option value={SAME}>The API server above</option>
        {TRANSCRIPTION_PROVIDERS.map((provider) => (
          <option key={provider.id} value={provider.id}>
            {provider.name}
          </option>
        ))}
        <option value={CUSTOM}>Other (type its address below)</option>
      </select>
      {needsTranscriptionServer && (
        <p class="help warning" role="note">
          {chatProvider.name} cannot transcribe speech: choose a transcription server here (
          {TRANSCRIPTION_PROVIDERS.map((provider) => provider.name).join(', ')}).
        </p>
      )}
      {transcriptionProvider && <ProviderHelp provider={transcriptionProvider} />}
      <label for="transcription-url">Transcription server URL</label>
      <input
        id="transcription-url"
        type="url"
        value={s.transcriptionUrl}
        placeholder="Blank: the API base URL"
        onInput={set('transcriptionUrl')}
      />
      <label for="transcription-key">Transcription server key</label>
      <input
        id="transcription-key"
        type="password"
        autoComplete="off"
        spellcheck={false}
        value={transcriptionKey.value}
        onInput={(e) => (transcriptionKey.value = e.currentTarget.value)}
      />
      <p class="help">
        Blank: the API key, if this server is on the same host (a key is never sent to another host); a server on
        this computer needs none.
      </p>
      <label for="transcription-model">Transcription model</label>
      <input id="transcription-model" value={s.transcriptionModel} onInput={set('transcriptionModel')} />
      <label for="transcription-prompt">Transcription prompt</label>
      <input id="transcription-prompt" value={s.transcriptionPrompt} onInput={set('transcriptionPrompt')} />
      <p class="help">
        A short example in a learner’s style, so the transcript keeps your mistakes instead of correcting them.
      </p>
    </>
  );
}
