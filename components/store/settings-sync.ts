import { computed, signal } from '@preact/signals';
import { DEFAULT_SETTINGS, apiKeyItem, loadSettings, settingsItem, type Settings } from '@/utils/settings';

/**
 * The learner's settings and API key as signals, kept in step with storage.local (another panel,
 * or the options of another window, may change them).
 */
export type SettingsSync = ReturnType<typeof createSettingsSync>;

export function createSettingsSync() {
  const settings = signal<Settings>(DEFAULT_SETTINGS);
  const apiKey = signal('');
  const hasKey = computed(() => apiKey.value.trim().length > 0);
  const unwatch: Array<() => void> = [];

  return {
    settings,
    apiKey,
    hasKey,
    async load(): Promise<void> {
      settings.value = await loadSettings();
      apiKey.value = await apiKeyItem.getValue();
      unwatch.push(
        settingsItem.watch((value) => {
          settings.value = { ...DEFAULT_SETTINGS, ...value };
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
