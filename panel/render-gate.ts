/**
 * Holds the panel's redraws back while something more urgent is on its way out.
 *
 * The side panel and the offscreen document are pages of one extension: Chrome runs them in one
 * renderer process, on one main thread. A message from the panel reaches the document only when
 * that thread is free, so a redraw the panel starts in the same moment (a barge-in changes the
 * Talk bar, the reply and the notices at once) delays it by the redraw's length. Measured with
 * `npm run bench` (6 barge-ins): the teacher fell silent 8–18 ms after the press with the redraw
 * first, 4–11 ms with the redraw held, 2–4 ms with the stream's abort held back too (see
 * turn-runner.ts). The redraw waits a few milliseconds, less than a frame.
 *
 * The same hold keeps the redraw behind the upload of a just-stopped recording, the teacher's
 * request and each sentence sent to the voice: each is on the way to the teacher's first word.
 *
 * `debounceRendering` is Preact's hook for when queued renders run (its default is a microtask).
 */

/** Never hold a redraw longer than this, whatever happens to what it waits for. */
export const MAX_HOLD_MS = 50;

let held: Promise<void> | null = null;

/**
 * Redraws queued from now on wait until `urgent` settles (or MAX_HOLD_MS, whichever is first),
 * and until every hold placed before it has ended too.
 */
export function holdRendersFor(urgent: Promise<unknown>): void {
  const settled = Promise.race([
    urgent.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => setTimeout(resolve, MAX_HOLD_MS)),
  ]);
  const hold: Promise<void> = Promise.all([held, settled]).then(() => {
    if (held === hold) held = null;
  });
  held = hold;
}

/** Holds redraws until the returned function is called (or MAX_HOLD_MS). */
export function holdRenders(): () => void {
  let release!: () => void;
  holdRendersFor(new Promise<void>((resolve) => (release = resolve)));
  return release;
}

/**
 * Preact's `options.debounceRendering`: runs `flush` in a microtask, as Preact does by default,
 * unless a hold is on by then; then right after it ends. The check is in the microtask, so a hold
 * placed in the same task as the state change that queued the render still counts.
 */
export function deferRendering(flush: () => void): void {
  queueMicrotask(() => {
    if (held) void held.then(flush);
    else flush();
  });
}
