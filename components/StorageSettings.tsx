import { useStore } from './store-context';

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
      <legend>Recordings</legend>
      <p class="help" data-testid="storage-usage">
        {usage
          ? `${usage.count} ${usage.count === 1 ? 'recording takes' : 'recordings take'} ${formatBytes(usage.bytes)} in this browser.`
          : 'Measuring the space your recordings take…'}
      </p>
      <label for="retention-days">Delete recordings after (days)</label>
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
        0 keeps them all. Transcripts stay; only the audio of older recordings is deleted.
      </p>
    </fieldset>
  );
}
