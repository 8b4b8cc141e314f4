import { useSignal } from '@preact/signals';
import type { JSX } from 'preact';
import { testConnection } from '@/features/settings/connection-test';
import { ProviderFields } from './ProviderFields';
import { apiUrlProblem } from '@/features/settings/providers';
import {
  DEFAULT_SETTINGS,
  normaliseUrl,
  originPattern,
  transcriptionKeyItem,
  type Settings,
} from '@/features/settings/settings';
import { StorageSettings } from './StorageSettings';
import { EXPLANATION_LANGUAGES, type ExplanationLanguage } from '@/features/corrections/correction-schema';
import { t } from '@/core/i18n';
import { LanguageSwitch, PracticeFields, TeacherFields } from './PracticeFields';
import { useStore } from '../../panel/store-context';
import { VoiceField } from '../voice/VoiceField';
import { withCompanionUrl } from './this-computer';

/** Hosts the manifest grants at install; any other needs the learner's yes at run time. */
const GRANTED_HOSTS = ['api.openai.com', '127.0.0.1', 'localhost'];

type Field = keyof Pick<Settings, 'companionToken'>;

function validUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : t('settings.useHttp');
  } catch {
    return t('settings.notCompanionAddress');
  }
}

export function SettingsForm({ onDone }: { onDone(): void }) {
  const store = useStore();
  const draft = useSignal<Settings>({ ...store.settings.value });
  const key = useSignal(store.apiKey.value);
  const transcriptionKey = useSignal(store.transcriptionKey.value);
  const status = useSignal<{ kind: 'ok' | 'error' | 'info'; lines: string[] } | null>(null);
  const testing = useSignal(false);

  const set = (field: Field) => (event: JSX.TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    draft.value = { ...draft.value, [field]: event.currentTarget.value };
  };

  function cleaned(): Settings | string {
    const next: Settings = {
      ...draft.value,
      apiBaseUrl: normaliseUrl(draft.value.apiBaseUrl) || DEFAULT_SETTINGS.apiBaseUrl,
      transcriptionUrl: normaliseUrl(draft.value.transcriptionUrl),
      companionUrl: normaliseUrl(draft.value.companionUrl) || DEFAULT_SETTINGS.companionUrl,
      transcriptionModel: draft.value.transcriptionModel.trim() || DEFAULT_SETTINGS.transcriptionModel,
      transcriptionPrompt: draft.value.transcriptionPrompt.trim(),
      chatModel: draft.value.chatModel.trim() || DEFAULT_SETTINGS.chatModel,
      teacherInstructions: draft.value.teacherInstructions.trim() || DEFAULT_SETTINGS.teacherInstructions,
      ownTopic: draft.value.ownTopic.trim(),
      // Whoever set AITalk up here has no need of the guided start (the header still opens it).
      guidedStartDone: true,
      speed: Math.min(4, Math.max(0.25, Number(draft.value.speed) || 1)),
      recordingRetentionDays: Math.max(0, Math.round(Number(draft.value.recordingRetentionDays) || 0)),
    };
    const apiProblem = apiUrlProblem(next.apiBaseUrl);
    if (apiProblem) return t('settings.apiUrlProblem', { problem: apiProblem });
    const transcriptionProblem = next.transcriptionUrl ? apiUrlProblem(next.transcriptionUrl) : null;
    if (transcriptionProblem) return t('settings.transcriptionUrlProblem', { problem: transcriptionProblem });
    const companionProblem = validUrl(next.companionUrl);
    if (companionProblem) return t('settings.companionUrlProblem', { problem: companionProblem });
    return next;
  }

  /** Asks for access to hosts other than the defaults; must run inside the click's gesture. */
  async function requestHosts(next: Settings): Promise<string[]> {
    const origins = [next.apiBaseUrl, next.transcriptionUrl, next.companionUrl]
      .filter((url) => url && !GRANTED_HOSTS.includes(new URL(url).hostname))
      .map(originPattern);
    if (origins.length === 0) return [];
    const granted = await chrome.permissions.request({ origins: [...new Set(origins)] }).catch(() => false);
    return granted ? [] : origins;
  }

  async function onSave(event: Event): Promise<void> {
    event.preventDefault();
    const next = cleaned();
    if (typeof next === 'string') {
      status.value = { kind: 'error', lines: [next] };
      return;
    }
    const refused = await requestHosts(next);
    // Before the settings: the panel builds the transcription endpoint when they change.
    await transcriptionKeyItem.setValue(transcriptionKey.value.trim());
    await store.saveSettings(next, key.value);
    status.value = refused.length
      ? {
          kind: 'error',
          lines: [t('settings.hostsRefused', { hosts: refused.join(', ') })],
        }
      : { kind: 'ok', lines: [t('settings.saved')] };
    if (!refused.length) onDone();
  }

  async function onTest(): Promise<void> {
    const next = cleaned();
    if (typeof next === 'string') {
      status.value = { kind: 'error', lines: [next] };
      return;
    }
    testing.value = true;
    status.value = { kind: 'info', lines: [t('settings.testing')] };
    await requestHosts(next);
    const report = await testConnection(next, { apiKey: key.value, transcriptionKey: transcriptionKey.value });
    testing.value = false;
    status.value = {
      kind: report.chat.ok && report.transcription.ok && report.companion.ok ? 'ok' : 'error',
      lines: [
        t('settings.chatResult', { result: report.chat.message }),
        t('settings.transcriptionResult', { result: report.transcription.message }),
        t('settings.voiceResult', { result: report.companion.message }),
      ],
    };
  }

  const s = draft.value;
  return (
    <form
      class="settings"
      onSubmit={(event) => {
        onSave(event).catch((error: unknown) => {
          status.value = {
            kind: 'error',
            lines: [t('settings.notSaved', { detail: error instanceof Error ? error.message : String(error) })],
          };
        });
      }}
      aria-labelledby="settings-heading"
    >
      <h2 id="settings-heading">{t('settings.heading')}</h2>
      <LanguageSwitch draft={draft} />
      <PracticeFields draft={draft} />
      <TeacherFields draft={draft} />
      <ProviderFields draft={draft} apiKey={key} transcriptionKey={transcriptionKey} />
      <label for="companion-url">{t('settings.companionUrl')}</label>
      <input
        id="companion-url"
        type="url"
        value={s.companionUrl}
        onInput={(e) => (draft.value = withCompanionUrl(draft.value, e.currentTarget.value))}
      />
      <label for="companion-token">{t('settings.companionToken')}</label>
      <input
        id="companion-token"
        type="password"
        autoComplete="off"
        value={s.companionToken}
        onInput={set('companionToken')}
      />
      <p class="help">{t('settings.companionTokenHelp')}</p>
      <VoiceField draft={draft} />
      <label for="speed">{t('settings.speed')}</label>
      <input
        id="speed"
        type="number"
        min={0.25}
        max={4}
        step={0.05}
        value={s.speed}
        aria-describedby="speed-help"
        onInput={(e) => (draft.value = { ...draft.value, speed: Number(e.currentTarget.value) })}
      />
      <p id="speed-help" class="help">
        {t('settings.speedHelp')}
      </p>
      <label for="explanation-language">{t('settings.explanationLanguage')}</label>
      <select
        id="explanation-language"
        value={s.explanationLanguage}
        onChange={(e) =>
          (draft.value = { ...draft.value, explanationLanguage: e.currentTarget.value as ExplanationLanguage })
        }
      >
        {Object.entries(EXPLANATION_LANGUAGES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <p class="help">{t('settings.explanationHelp')}</p>
      <div class="checkbox">
        <input
          id="hands-free"
          type="checkbox"
          checked={s.handsFree}
          onChange={(e) => (draft.value = { ...draft.value, handsFree: e.currentTarget.checked })}
        />
        <label for="hands-free">{t('settings.handsFree')}</label>
      </div>
      <p class="help">{t('settings.handsFreeHelp')}</p>
      <div class="checkbox">
        <input
          id="hide-text"
          type="checkbox"
          checked={s.hideTextUntilHeard}
          onChange={(e) => (draft.value = { ...draft.value, hideTextUntilHeard: e.currentTarget.checked })}
        />
        <label for="hide-text">{t('settings.hideText')}</label>
      </div>
      <p class="help">{t('settings.hideTextHelp')}</p>
      <div class="checkbox">
        <input
          id="memory-on"
          type="checkbox"
          checked={s.memory}
          onChange={(e) => (draft.value = { ...draft.value, memory: e.currentTarget.checked })}
        />
        <label for="memory-on">{t('memory.setting')}</label>
      </div>
      <p class="help">{t('memory.settingHelp')}</p>
      <StorageSettings
        days={s.recordingRetentionDays}
        onDays={(days) => (draft.value = { ...draft.value, recordingRetentionDays: days })}
      />
      {status.value && (
        <div class={`settings-status ${status.value.kind}`} role="status">
          {status.value.lines.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}
      <div class="settings-actions">
        <button type="submit">{t('settings.save')}</button>
        <button
          type="button"
          onClick={() => {
            onTest().catch((error: unknown) => {
              testing.value = false;
              status.value = {
                kind: 'error',
                lines: [
                  t('settings.testCouldNotRun', { detail: error instanceof Error ? error.message : String(error) }),
                ],
              };
            });
          }}
          disabled={testing.value}
        >
          {t('settings.test')}
        </button>
      </div>
    </form>
  );
}
