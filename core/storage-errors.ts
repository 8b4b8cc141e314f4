/**
 * IndexedDB failures in the learner's words. A full disk (or the browser's quota for AITalk) is
 * the one a learner can fix, so it says how; nothing already stored is touched by it.
 */
import { t } from './i18n';

/** An error's name and message, for a detail in a message to the learner. */
export function errorDetail(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return `${error.name}: ${error.message}`;
  return String(error);
}

export function isQuotaError(error: unknown): boolean {
  return /QuotaExceeded|quota/i.test(errorDetail(error));
}

/** The learner-facing text for a storage failure, or null when `error` is not one. */
export function describeStorageError(error: unknown): string | null {
  return isQuotaError(error) ? t('storage.full') : null;
}
