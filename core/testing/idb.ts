/** Deletes a test's database, waiting until it is gone (an open connection would keep it). */
export async function deleteDatabase(name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
  });
}

/** A learner's recording of `bytes` bytes, made at `createdAt`. */
export function recordingOf(conversationId: string, createdAt: number, bytes = 100) {
  return {
    id: crypto.randomUUID(),
    conversationId,
    blob: new Blob([new Uint8Array(bytes)], { type: 'audio/webm' }),
    bytes,
    mimeType: 'audio/webm',
    durationMs: 1000,
    createdAt,
  };
}
