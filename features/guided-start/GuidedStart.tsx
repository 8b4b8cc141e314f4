import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { testConnection } from '@/features/settings/connection-test';
import { t } from '@/core/i18n';
import { microphonePermission } from '@/core/microphone-permission';
import { normaliseUrl, transcriptionKeyItem, DEFAULT_SETTINGS, type Settings } from '@/features/settings/settings';
import { MessageList } from '../talk/MessageList';
import { LanguageSwitch, PracticeFields } from '../settings/PracticeFields';
import { ProviderFields } from '../settings/ProviderFields';
import { useStore } from '../../panel/store-context';

const STEPS = 4;

/**
 * The first run, step by step: (1) the API key or the learner's own server, tested here; (2) the
 * microphone, on the permission page; (3) level and what to practise; (4) the first spoken turn.
 * Each step saves what it set, so leaving half-way loses nothing; Skip ends it, and the header's
 * "Guided start" opens it again.
 */
export function GuidedStart({ onClose }: { onClose(): void }) {
  const store = useStore();
  const step = useSignal(1);
  const draft = useSignal<Settings>({ ...store.settings.value });
  const key = useSignal(store.apiKey.value);
  const transcriptionKey = useSignal(store.transcriptionKey.value);
  const report = useSignal<{ ok: boolean; lines: string[] } | null>(null);
  const testing = useSignal(false);
  const microphone = useSignal<string>('unknown');

  // The permission page answers in its own tab; the panel follows the browser's permission state.
  useEffect(() => {
    let stop = () => undefined as void;
    void microphonePermission().then((state) => (microphone.value = state));
    navigator.permissions
      ?.query({ name: 'microphone' as PermissionName })
      .then((status) => {
        const update = () => (microphone.value = status.state);
        status.addEventListener('change', update);
        stop = () => status.removeEventListener('change', update);
      })
      .catch(() => undefined);
    return () => stop();
  }, []);

  async function save(patch: Partial<Settings>): Promise<void> {
    const next: Settings = {
      ...draft.value,
      ...patch,
      apiBaseUrl: normaliseUrl(draft.value.apiBaseUrl) || DEFAULT_SETTINGS.apiBaseUrl,
      transcriptionUrl: normaliseUrl(draft.value.transcriptionUrl),
      companionUrl: normaliseUrl(draft.value.companionUrl) || DEFAULT_SETTINGS.companionUrl,
    };
    draft.value = next;
    await transcriptionKeyItem.setValue(transcriptionKey.value.trim());
    // The teacher's opening question waits for step 4, in the scenario chosen in step 3.
    await store.saveSettings(next, key.value, { open: false });
  }

  async function test(): Promise<void> {
    testing.value = true;
    report.value = { ok: true, lines: [t('settings.testing')] };
    try {
      const result = await testConnection(draft.value, { apiKey: key.value, transcriptionKey: transcriptionKey.value });
      report.value = {
        ok: result.chat.ok && result.transcription.ok,
        lines: [
          t('settings.chatResult', { result: result.chat.message }),
          t('settings.transcriptionResult', { result: result.transcription.message }),
          t('settings.voiceResult', { result: result.companion.message }),
        ],
      };
    } catch (error) {
      report.value = {
        ok: false,
        lines: [t('settings.testCouldNotRun', { detail: error instanceof Error ? error.message : String(error) })],
      };
    } finally {
      testing.value = false;
    }
  }

  async function go(next: number): Promise<void> {
    if (step.value === 1 || step.value === 3) await save({});
    step.value = next;
    if (next === 4) await store.startPractice();
  }

  async function finish(): Promise<void> {
    await save({ guidedStartDone: true });
    onClose();
  }

  const messages = store.messages.value;
  const talked =
    messages.some((m) => m.role === 'user' && m.status === 'done') &&
    messages[messages.length - 1]?.role === 'assistant';

  return (
    <section class="guided-start" aria-labelledby="guide-heading">
      <div class="guide-top">
        <h2 id="guide-heading">{t('onboarding.heading')}</h2>
        <LanguageSwitch draft={draft} onChange={(next) => void save(next)} />
      </div>
      <p class="guide-step" aria-live="polite">
        {t('onboarding.stepOf', { step: step.value, total: STEPS })}
      </p>

      {step.value === 1 && (
        <div class="guide-body">
          <h3>{t('onboarding.connectionHeading')}</h3>
          <p>{t('onboarding.connectionIntro')}</p>
          <ProviderFields draft={draft} apiKey={key} transcriptionKey={transcriptionKey} />
          <details class="guide-voice">
            <summary>{t('settings.companionUrl')}</summary>
            <label for="guide-companion-url">{t('settings.companionUrl')}</label>
            <input
              id="guide-companion-url"
              type="url"
              value={draft.value.companionUrl}
              onInput={(e) => (draft.value = { ...draft.value, companionUrl: e.currentTarget.value })}
            />
          </details>
          <button type="button" disabled={testing.value} onClick={() => void test()}>
            {t('onboarding.testNow')}
          </button>
          {report.value && (
            <div class={`settings-status ${report.value.ok ? 'ok' : 'error'}`} role="status">
              {report.value.lines.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          )}
        </div>
      )}

      {step.value === 2 && (
        <div class="guide-body">
          <h3>{t('onboarding.microphoneHeading')}</h3>
          <p>{t('onboarding.microphoneIntro')}</p>
          <button
            type="button"
            onClick={() => {
              browser.tabs.create({ url: browser.runtime.getURL('/permission.html') }).catch((error: unknown) => {
                console.error('AITalk: could not open the microphone page', error);
              });
            }}
          >
            {t('onboarding.openMicrophonePage')}
          </button>
          <p role="status" class="guide-mic-state">
            {microphone.value === 'granted' ? t('onboarding.microphoneReady') : t('onboarding.microphoneNotYet')}
          </p>
        </div>
      )}

      {step.value === 3 && (
        <div class="guide-body">
          <h3>{t('onboarding.practiceHeading')}</h3>
          <p>{t('onboarding.practiceIntro')}</p>
          <PracticeFields draft={draft} idPrefix="guide-" />
        </div>
      )}

      {step.value === 4 && (
        <div class="guide-body">
          <h3>{t('onboarding.firstTurnHeading')}</h3>
          <p>{talked ? t('onboarding.firstTurnDone') : t('onboarding.firstTurnIntro')}</p>
          <MessageList />
        </div>
      )}

      <div class="guide-actions">
        {step.value > 1 && (
          <button type="button" class="quiet" onClick={() => (step.value -= 1)}>
            {t('onboarding.back')}
          </button>
        )}
        {step.value < STEPS ? (
          <button type="button" onClick={() => void go(step.value + 1)}>
            {t('onboarding.next')}
          </button>
        ) : (
          <button type="button" onClick={() => void finish()}>
            {t('onboarding.finish')}
          </button>
        )}
        <button type="button" class="quiet" onClick={() => void finish()}>
          {t('onboarding.skip')}
        </button>
      </div>
    </section>
  );
}
