import { t } from '@/core/i18n';
import { useStore } from '../../panel/store-context';

/** Bytes as the learner reads them: 0 B, 812 kB, 3.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** How much room the recordings take, and the setting that deletes old ones. */
export function StorageSettings({ days, onDays }: { days: number; onDays(days: number): void }) {
  const store = useStore();
  const usage = store.storageUsage.value;
  return (
    <fieldset class="storage">
      <legend>{t('storage.legend')}</legend>
      <p class="help" data-testid="storage-usage">
        {usage ? t('storage.usage', usage.count, { size: formatBytes(usage.bytes) }) : t('storage.measuring')}
      </p>
      <label for="retention-days">{t('storage.retentionDays')}</label>
      <input
        id="retention-days"
        type="number"
        min={0}
        step={1}
        value={days}
        aria-describedby="retention-help"
        onInput={(e) => onDays(Number(e.currentTarget.value))}
      />
      <p id="retention-help" class="help">
        {t('storage.retentionHelp')}
      </p>
    </fieldset>
  );
}
