import { computed, signal } from '@preact/signals';
import { apiEndpoints, missingKey, type ApiEndpoints } from '@/features/settings/endpoints';
import { applyInterfaceLanguage } from '@/core/i18n';
import {
  DEFAULT_SETTINGS,
  apiKeyItem,
  loadSettings,
  settingsItem,
  transcriptionKeyItem,
  type Settings,
} from '@/features/settings/settings';

/**
 * The learner's settings and API keys as signals, kept in step with storage.local (another panel,
 * or the options of another window, may change them), and where each request goes with them.
 */
export type SettingsSync = ReturnType<typeof createSettingsSync>;

export function createSettingsSync() {
  const settings = signal<Settings>(DEFAULT_SETTINGS);
  const apiKey = signal('');
  const transcriptionKey = signal('');
  const endpoints = computed<ApiEndpoints>(() =>
    apiEndpoints(settings.value, { apiKey: apiKey.value, transcriptionKey: transcriptionKey.value }),
  );
  // A server on this machine needs no key; a transcription server's missing key is reported when
  // a recording is sent (the recording is kept).
  const hasKey = computed(() => !missingKey(endpoints.value.chat));
  const unwatch: Array<() => void> = [];

  return {
    settings,
    apiKey,
    transcriptionKey,
    endpoints,
    hasKey,
    async load(): Promise<void> {
      settings.value = await loadSettings();
      apiKey.value = await apiKeyItem.getValue();
      transcriptionKey.value = await transcriptionKeyItem.getValue();
      unwatch.push(
        transcriptionKeyItem.watch((value) => {
          transcriptionKey.value = value ?? '';
        }),
        settingsItem.watch((value) => {
          settings.value = { ...DEFAULT_SETTINGS, ...value };
          // Another panel switched the interface language: this one follows.
          applyInterfaceLanguage(settings.value.interfaceLanguage).catch(() => undefined);
        }),
        apiKeyItem.watch((value) => {
          apiKey.value = value ?? '';
        }),
      );
    },
    async save(next: Settings, key: string): Promise<void> {
      await settingsItem.setValue(next);
      await apiKeyItem.setValue(key.trim());
      settings.value = next;
      apiKey.value = key.trim();
    },
    dispose(): void {
      for (const stop of unwatch.splice(0)) stop();
    },
  };
}
