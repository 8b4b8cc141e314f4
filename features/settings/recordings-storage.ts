import { signal } from '@preact/signals';
import {
  adoptOrphanRecordings,
  deleteRecordingsBefore,
  recordingsUsage,
  type RecordingsUsage,
} from '@/core/db/recordings';
import type { SettingsSync } from './settings-sync';

/** A recording with no turn this old was orphaned by a crash (see adoptOrphanRecordings). */
const ORPHAN_AGE_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The learner's recordings as Settings › Storage shows them (StorageSettings.tsx): how much they
 * take, the retention limit the learner set, and the orphans a crash left, taken back at start-up.
 */
export function createRecordingsStorage(settings: SettingsSync) {
  const usage = signal<RecordingsUsage | null>(null);

  async function refresh(): Promise<void> {
    usage.value = await recordingsUsage();
  }

  /** Deletes the audio of old recordings when the learner set a limit (off by default). */
  async function applyRetention(): Promise<void> {
    const days = settings.settings.value.recordingRetentionDays;
    if (days > 0) await deleteRecordingsBefore(Date.now() - days * DAY_MS);
  }

  async function adoptOrphans(): Promise<void> {
    await adoptOrphanRecordings(ORPHAN_AGE_MS);
  }

  return { usage, refresh, applyRetention, adoptOrphans };
}
