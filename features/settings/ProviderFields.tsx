import type { Signal } from '@preact/signals';
import type { JSX } from 'preact';
import {
  CHAT_PROVIDERS,
  TRANSCRIPTION_PROVIDERS,
  can,
  describeCapabilities,
  providerById,
  providerNote,
  providerForUrl,
  type ProviderPreset,
} from '@/features/settings/providers';
import { t } from '@/core/i18n';
import type { Settings } from '@/features/settings/settings';
import {
  COMPANION_STT_MODEL,
  LOCAL_CHATS,
  companionTranscriptionUrl,
  thisComputerChoice,
  thisComputerSettings,
  transcribesWithCompanion,
  type LocalChat,
} from '@/features/settings/this-computer';
import { LocalityNote } from './LocalBadge';

type Field = keyof Pick<
  Settings,
  'apiBaseUrl' | 'transcriptionUrl' | 'transcriptionModel' | 'transcriptionPrompt' | 'chatModel'
>;

const CUSTOM = 'custom';
const SAME = 'same';
const COMPANION = 'companion';
const NOT_LOCAL = '';

const LOCAL_CHAT_LABELS = { ollama: 'local.setupOllama', lmstudio: 'local.setupLmstudio' } as const;

/** "This computer": one choice puts transcription, chat and the voice on this machine (this-computer.ts). */
function ThisComputerField({ draft }: { draft: Signal<Settings> }) {
  return (
    <>
      <label for="this-computer">{t('local.setup')}</label>
      <select
        id="this-computer"
        value={thisComputerChoice(draft.value) ?? NOT_LOCAL}
        aria-describedby="this-computer-help"
        onChange={(e) => {
          const chat = e.currentTarget.value;
          if (LOCAL_CHATS.includes(chat as LocalChat))
            draft.value = thisComputerSettings(draft.value, chat as LocalChat);
        }}
      >
        <option value={NOT_LOCAL}>{t('local.setupNone')}</option>
        {LOCAL_CHATS.map((id) => (
          <option key={id} value={id}>
            {t(LOCAL_CHAT_LABELS[id])}
          </option>
        ))}
      </select>
      <p id="this-computer-help" class="help">
        {t('local.setupHelp')}
      </p>
      <LocalityNote settings={draft.value} />
    </>
  );
}

function ProviderHelp({ provider }: { provider: ProviderPreset }) {
  return (
    <p class="help">
      {t('provider.can', { name: provider.name, capabilities: describeCapabilities(provider) })}
      {provider.note ? ` ${providerNote(provider)}` : ''}
      {provider.keyPage ? ` ${t('provider.keyPage', { page: provider.keyPage })}` : ''}
    </p>
  );
}

/** A provider list: the presets, "Other" (the learner types the address), and an optional first choice. */
function ProviderSelect({
  id,
  value,
  providers,
  first,
  onChoose,
}: {
  id: string;
  value: string;
  providers: readonly ProviderPreset[];
  first?: JSX.Element;
  onChoose(id: string): void;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChoose(e.currentTarget.value)}>
      {first}
      {providers.map((provider) => (
        <option key={provider.id} value={provider.id}>
          {provider.name}
        </option>
      ))}
      <option value={CUSTOM}>{t('provider.other')}</option>
    </select>
  );
}

/** A key field: hidden as typed, never autocompleted or spell-checked. */
function SecretInput({ id, secret, describedBy }: { id: string; secret: Signal<string>; describedBy?: string }) {
  return (
    <input
      id={id}
      type="password"
      autoComplete="off"
      spellcheck={false}
      value={secret.value}
      onInput={(e) => (secret.value = e.currentTarget.value)}
      aria-describedby={describedBy}
    />
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
  const companionTranscribes = transcribesWithCompanion(s);
  const transcriptionProvider =
    s.transcriptionUrl && !companionTranscribes ? providerForUrl(s.transcriptionUrl) : undefined;
  const needsTranscriptionServer =
    !s.transcriptionUrl && chatProvider !== undefined && !can(chatProvider, 'transcription');

  const set = (field: Field) => (event: JSX.TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    draft.value = { ...draft.value, [field]: event.currentTarget.value };
  };

  function chooseProvider(id: string) {
    const provider = providerById(id);
    if (!provider) return; // "Other": the learner types the address below
    const next = {
      ...draft.value,
      apiBaseUrl: provider.baseUrl,
      chatModel: provider.chatModel ?? draft.value.chatModel,
    };
    if (!next.transcriptionUrl && provider.transcriptionModel) next.transcriptionModel = provider.transcriptionModel;
    draft.value = next;
  }

  function chooseTranscription(id: string) {
    if (id === SAME) {
      draft.value = {
        ...draft.value,
        transcriptionUrl: '',
        transcriptionModel: chatProvider?.transcriptionModel ?? draft.value.transcriptionModel,
      };
      return;
    }
    if (id === COMPANION) {
      draft.value = {
        ...draft.value,
        transcriptionUrl: companionTranscriptionUrl(draft.value.companionUrl),
        transcriptionModel: COMPANION_STT_MODEL,
      };
      return;
    }
    const provider = providerById(id);
    if (!provider) {
      document.getElementById('transcription-url')?.focus();
      return;
    }
    draft.value = {
      ...draft.value,
      transcriptionUrl: provider.baseUrl,
      transcriptionModel: provider.transcriptionModel ?? draft.value.transcriptionModel,
    };
  }

  return (
    <>
      <ThisComputerField draft={draft} />
      <label for="provider">{t('provider.label')}</label>
      <ProviderSelect
        id="provider"
        value={chatProvider?.id ?? CUSTOM}
        providers={CHAT_PROVIDERS}
        onChoose={chooseProvider}
      />
      {chatProvider && <ProviderHelp provider={chatProvider} />}
      <label for="api-key">{t('provider.apiKey')}</label>
      <SecretInput id="api-key" secret={apiKey} describedBy="api-key-help" />
      <p id="api-key-help" class="help">
        {t('provider.apiKeyHelp')}
      </p>
      <label for="api-base-url">{t('provider.apiBaseUrl')}</label>
      <input id="api-base-url" type="url" value={s.apiBaseUrl} onInput={set('apiBaseUrl')} />
      <p class="help">{t('provider.apiBaseUrlHelp')}</p>
      <label for="chat-model">{t('provider.chatModel')}</label>
      <input id="chat-model" value={s.chatModel} onInput={set('chatModel')} />

      <label for="transcription-provider">{t('provider.transcriptionServer')}</label>
      <ProviderSelect
        id="transcription-provider"
        value={companionTranscribes ? COMPANION : s.transcriptionUrl ? (transcriptionProvider?.id ?? CUSTOM) : SAME}
        providers={TRANSCRIPTION_PROVIDERS}
        first={
          <>
            <option value={SAME}>{t('provider.sameServer')}</option>
            <option value={COMPANION}>{t('local.companionTranscription')}</option>
          </>
        }
        onChoose={chooseTranscription}
      />
      {companionTranscribes && <p class="help">{t('local.companionTranscriptionHelp')}</p>}
      {needsTranscriptionServer && (
        <p class="help warning" role="note">
          {t('provider.cannotTranscribe', {
            name: chatProvider.name,
            servers: TRANSCRIPTION_PROVIDERS.map((provider) => provider.name).join(', '),
          })}
        </p>
      )}
      {transcriptionProvider && <ProviderHelp provider={transcriptionProvider} />}
      <label for="transcription-url">{t('provider.transcriptionUrl')}</label>
      <input
        id="transcription-url"
        type="url"
        value={s.transcriptionUrl}
        placeholder={t('provider.transcriptionUrlPlaceholder')}
        onInput={set('transcriptionUrl')}
      />
      <label for="transcription-key">{t('provider.transcriptionKey')}</label>
      <SecretInput id="transcription-key" secret={transcriptionKey} />
      <p class="help">{t('provider.transcriptionKeyHelp')}</p>
      <label for="transcription-model">{t('provider.transcriptionModel')}</label>
      <input id="transcription-model" value={s.transcriptionModel} onInput={set('transcriptionModel')} />
      <label for="transcription-prompt">{t('provider.transcriptionPrompt')}</label>
      <input id="transcription-prompt" value={s.transcriptionPrompt} onInput={set('transcriptionPrompt')} />
      <p class="help">{t('provider.transcriptionPromptHelp')}</p>
    </>
  );
}
