/**
 * The audio of the latest practice attempts, kept in the recording document's memory for the pronunciation
 * judge: the panel asks for the judgement right after the stop, usually while the recording is still being
 * written to IndexedDB (offscreen/recording-keeper.ts), and deletes it there once the attempt is judged.
 */

/** A judgement is asked for within a second of the stop; this is ample and bounds what is held. */
const KEEP_MS = 120_000;
const KEEP_AT_MOST = 4;

export type PracticeAudio = ReturnType<typeof createPracticeAudio>;

export function createPracticeAudio(clock: () => number = () => Date.now()) {
  const held = new Map<string, { blob: Blob; at: number }>();

  function prune(): void {
    const now = clock();
    for (const [id, entry] of held) if (now - entry.at > KEEP_MS) held.delete(id);
    while (held.size > KEEP_AT_MOST) held.delete(held.keys().next().value as string);
  }

  return {
    keep(recordingId: string, blob: Blob): void {
      held.set(recordingId, { blob, at: clock() });
      prune();
    },
    get(recordingId: string): Blob | undefined {
      prune();
      return held.get(recordingId)?.blob;
    },
  };
}
