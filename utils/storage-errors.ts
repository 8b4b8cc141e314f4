/**
 * IndexedDB failures in the learner's words. A full disk (or the browser's quota for AITalk) is
 * the one a learner can fix, so it says how; nothing already stored is touched by it.
 */
export const STORAGE_FULL_MESSAGE =
  'Your browser has no room left for AITalk. Delete old conversations in History, or set “Delete recordings after” in Settings, then try again. Nothing already saved was lost.';

function nameAndMessage(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return `${error.name}: ${error.message}`;
  return String(error);
}

export function isQuotaError(error: unknown): boolean {
  return /QuotaExceeded|quota/i.test(nameAndMessage(error));
}

/** The learner-facing text for a storage failure, or null when `error` is not one. */
export function describeStorageError(error: unknown): string | null {
  return isQuotaError(error) ? STORAGE_FULL_MESSAGE : null;
}
