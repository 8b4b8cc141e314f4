import { useSignal } from '@preact/signals';
import type { JSX } from 'preact';
import { testConnection } from '@/utils/connection-test';
import { ProviderFields } from './ProviderFields';
import { apiUrlProblem } from '@/utils/providers';
import { DEFAULT_SETTINGS, normaliseUrl, originPattern, transcriptionKeyItem, type Settings } from '@/utils/settings';
import { StorageSettings } from './StorageSettings';
import { EXPLANATION_LANGUAGES, type ExplanationLanguage } from '@/utils/correction-schema';
import { useStore } from './store-context';

/** Hosts the manifest grants at install; any other needs the learner's yes at run time. */
const GRANTED_HOSTS = ['api.openai.com', '127.0.0.1', 'localhost'];

type Field = keyof Pick<Settings, 'companionUrl' | 'companionToken' | 'voice' | 'teacherInstructions'>;

function validUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'Use an http:// or https:// address.';
  } catch {
    return 'This is not a web address. Example: http://127.0.0.1:8730';
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
      speed: Math.min(4, Math.max(0.25, Number(draft.value.speed) || 1)),
      recordingRetentionDays: Math.max(0, Math.round(Number(draft.value.recordingRetentionDays) || 0)),
    };
    const apiProblem = apiUrlProblem(next.apiBaseUrl);
    if (apiProblem) return `API base URL: ${apiProblem}`;
    const transcriptionProblem = next.transcriptionUrl ? apiUrlProblem(next.transcriptionUrl) : null;
    if (transcriptionProblem) return `Transcription server URL: ${transcriptionProblem}`;
    const companionProblem = validUrl(next.companionUrl);
    if (companionProblem) return `Companion URL: ${companionProblem}`;
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
          lines: [`Saved, but AITalk was not allowed to reach ${refused.join(', ')}. Save again and choose Allow.`],
        }
      : { kind: 'ok', lines: ['Saved.'] };
    if (!refused.length) onDone();
  }

  async function onTest(): Promise<void> {
    const next = cleaned();
    if (typeof next === 'string') {
      status.value = { kind: 'error', lines: [next] };
      return;
    }
    testing.value = true;
    status.value = { kind: 'info', lines: ['Testing… (a short test recording is transcribed)'] };
    await requestHosts(next);
    const report = await testConnection(next, { apiKey: key.value, transcriptionKey: transcriptionKey.value });
    testing.value = false;
    status.value = {
      kind: report.chat.ok && report.transcription.ok && report.companion.ok ? 'ok' : 'error',
      lines: [`Chat: ${report.chat.message}`, `Transcription: ${report.transcription.message}`, `Voice: ${report.companion.message}`],
    };
  }

  const s = draft.value;
  return (
    <form
      class="settings"
      onSubmit={(event) => {
        onSave(event).catch((error: unknown) => {
          status.value = { kind: 'error', lines: [`Not saved: ${error instanceof Error ? error.message : String(error)}`] };
        });
      }}
      aria-labelledby="settings-heading"
    >
      <h2 id="settings-heading">Settings</h2>
      <ProviderFields draft={draft} apiKey={key} transcriptionKey={transcriptionKey} />
      <label for="companion-url">Companion URL</label>
      <input id="companion-url" type="url" value={s.companionUrl} onInput={set('companionUrl')} />
      <label for="companion-token">Companion token</label>
      <input
        id="companion-token"
        type="password"
        autoComplete="off"
        value={s.companionToken}
        onInput={set('companionToken')}
      />
      <p class="help">Only if you started the companion with --token.</p>
      <label for="voice">Voice</label>
      <input id="voice" value={s.voice} placeholder="The companion's default" onInput={set('voice')} />
      <label for="speed">Speaking speed</label>
      <input
        id="speed"
        type="number"
        min={0.25}
        max={4}
        step={0.05}
        value={s.speed}
        onInput={(e) => (draft.value = { ...draft.value, speed: Number(e.currentTarget.value) })}
      />
      <label for="teacher-instructions">Teacher instructions</label>
      <textarea id="teacher-instructions" rows={8} value={s.teacherInstructions} onInput={set('teacherInstructions')} />
      <label for="explanation-language">Explanations in</label>
      <select
        id="explanation-language"
        value={s.explanationLanguage}
        onChange={(e) => (draft.value = { ...draft.value, explanationLanguage: e.currentTarget.value as ExplanationLanguage })}
      >
        {Object.entries(EXPLANATION_LANGUAGES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <p class="help">The language the correction cards explain your mistakes in.</p>
      <div class="checkbox">
        <input
          id="hands-free"
          type="checkbox"
          checked={s.handsFree}
          onChange={(e) => (draft.value = { ...draft.value, handsFree: e.currentTarget.checked })}
        />
        <label for="hands-free">Hands-free</label>
      </div>
      <p class="help">Press Talk once; AITalk notices when you finish speaking and listens again after each reply.</p>
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
        <button type="submit">Save</button>
        <button
          type="button"
          onClick={() => {
            onTest().catch((error: unknown) => {
              testing.value = false;
              status.value = { kind: 'error', lines: [`The test could not run: ${error instanceof Error ? error.message : String(error)}`] };
            });
          }}
          disabled={testing.value}
        >
          Test connection
        </button>
      </div>
    </form>
  );
}
