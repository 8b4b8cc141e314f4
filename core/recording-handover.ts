/**
 * A just-stopped recording's audio, handed from the recording (offscreen) document to the panel
 * that recorded it over a BroadcastChannel as soon as the recorder has stopped. Extension pages
 * share an origin, so the Blob travels by reference, with no copy through the JSON of extension
 * messages. The panel uploads it from memory instead of reading the same bytes back from IndexedDB.
 * Each panel listens on a channel of its own: a channel delivers to every page listening on it,
 * and a panel in another window would otherwise be handed (and hold for a minute) audio that is
 * not its own.
 *
 * It only saves time, never replaces the store: the recording document writes the same audio to
 * IndexedDB beside the upload and says when it is stored ('recording-stored'); a panel that missed
 * the hand-over (opened later, or a retry) reads it from there once it is.
 */

export const HANDOVER_CHANNEL = 'aitalk-recording-audio';

/** The channel on which only this panel hears its recordings' audio. */
export function handoverChannel(panelId: string): BroadcastChannel {
  return new BroadcastChannel(`${HANDOVER_CHANNEL}:${panelId}`);
}

/** How long a handed-over recording waits for its turn before it is let go (it is in IndexedDB). */
const KEEP_MS = 60_000;
/** At most this many are held (a panel that never takes them does not grow). */
const KEEP_AT_MOST = 4;
/** Panels' channels the recording document keeps open (one per window, in practice). */
const CHANNELS_AT_MOST = 4;

interface Handover {
  recordingId: string;
  blob: Blob;
}

/**
 * The recording document's side: one message per stopped recording, on the channel of the panel
 * that recorded it. A panel's channel stays open for its next turns, so a stop does not wait for
 * a channel to be set up.
 */
export function createHandoverSender(open: (panelId: string) => BroadcastChannel = handoverChannel) {
  const channels = new Map<string, BroadcastChannel>();
  return (panelId: string, recordingId: string, blob: Blob): void => {
    let channel = channels.get(panelId);
    if (!channel) {
      channel = open(panelId);
      channels.set(panelId, channel);
      for (const [id, old] of channels) {
        if (channels.size <= CHANNELS_AT_MOST) break;
        old.close();
        channels.delete(id);
      }
    }
    channel.postMessage({ recordingId, blob } satisfies Handover);
  };
}

export type HandoverReceiver = ReturnType<typeof createHandoverReceiver>;

/** A panel's side, on its own channel: keeps the latest few recordings' audio until the turn takes it. */
export function createHandoverReceiver(channel: BroadcastChannel, clock: () => number = () => Date.now()) {
  const held = new Map<string, { blob: Blob; at: number }>();
  /** Turns waiting for a recording's audio that has not arrived yet. */
  const waiting = new Map<string, (blob: Blob | undefined) => void>();

  function prune(): void {
    const now = clock();
    for (const [id, entry] of held) if (now - entry.at > KEEP_MS) held.delete(id);
    while (held.size > KEEP_AT_MOST) held.delete(held.keys().next().value as string);
  }

  channel.onmessage = (event: MessageEvent<unknown>) => {
    const data = event.data as Partial<Handover> | null;
    if (typeof data?.recordingId !== 'string' || !(data.blob instanceof Blob)) return;
    const waiter = waiting.get(data.recordingId);
    if (waiter) {
      waiting.delete(data.recordingId);
      waiter(data.blob);
      return;
    }
    held.set(data.recordingId, { blob: data.blob, at: clock() });
    prune();
  };

  function take(recordingId: string): Blob | undefined {
    prune();
    const entry = held.get(recordingId);
    held.delete(recordingId);
    return entry?.blob;
  }

  return {
    /** The recording's audio if it was handed over (and not yet taken); each is taken once. */
    take,
    /**
     * The recording's audio, waiting up to `waitMs` for it: the recording document posts it just
     * before it answers the stop, and the answer may arrive first. Undefined if it never came.
     */
    arrival(recordingId: string, waitMs: number): Promise<Blob | undefined> {
      const ready = take(recordingId);
      if (ready) return Promise.resolve(ready);
      return new Promise<Blob | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(recordingId);
          resolve(undefined);
        }, waitMs);
        waiting.set(recordingId, (blob) => {
          clearTimeout(timer);
          resolve(blob);
        });
      });
    },
    dispose(): void {
      for (const resolve of waiting.values()) resolve(undefined);
      waiting.clear();
      channel.onmessage = null;
      channel.close();
      held.clear();
    },
  };
}
