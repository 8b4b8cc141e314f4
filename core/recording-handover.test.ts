// @vitest-environment node
// Node's own Blob and BroadcastChannel, which clone Blobs as a browser does (happy-dom's Blob is not cloneable).
import { afterEach, describe, expect, it } from 'vitest';
import { createHandoverReceiver, createHandoverSender, handoverChannel } from './recording-handover';

/** The recording document's sender and one panel's receiver, as each holds them. */
function pair(panelId: string, clock?: () => number) {
  const sender = createHandoverSender((id) => track(handoverChannel(id)));
  const receiver = createHandoverReceiver(track(handoverChannel(panelId)), clock);
  opened.push(() => receiver.dispose());
  return { send: (recordingId: string, blob: Blob) => sender(panelId, recordingId, blob), sender, receiver };
}
/** Every channel a test opened is closed after it, so none keeps the process alive. */
function track(channel: BroadcastChannel): BroadcastChannel {
  opened.push(() => channel.close());
  return channel;
}
const opened: Array<() => void> = [];
afterEach(() => opened.splice(0).forEach((close) => close()));

const delivered = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the recording hand-over', () => {
  it('gives the panel the audio of a stopped recording, once', async () => {
    const { send, receiver } = pair('handover-once');
    send('rec-1', new Blob([new Uint8Array([1, 2, 3])], { type: 'audio/webm' }));
    await delivered();
    const blob = receiver.take('rec-1');
    expect(blob?.type).toBe('audio/webm');
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    // Taken once: a retry reads the recording from IndexedDB instead.
    expect(receiver.take('rec-1')).toBeUndefined();
    expect(receiver.take('another')).toBeUndefined();
  });

  it('lets go of audio nobody took after a minute, and holds at most four', async () => {
    let now = 0;
    const { send, receiver } = pair('handover-prune', () => now);
    for (let i = 1; i <= 6; i++) send(`rec-${i}`, new Blob([String(i)]));
    await delivered();
    expect(receiver.take('rec-1')).toBeUndefined();
    expect(receiver.take('rec-2')).toBeUndefined();
    expect(receiver.take('rec-3')).toBeDefined();
    now = 61_000;
    expect(receiver.take('rec-6')).toBeUndefined();
  });

  it('hands a recording only to the panel that recorded it: a panel in another window never receives it', async () => {
    const { sender, receiver: mine } = pair('panel-mine');
    const otherChannel = track(handoverChannel('panel-other'));
    const other = createHandoverReceiver(otherChannel);
    opened.push(() => other.dispose());
    const reachedOther: unknown[] = [];
    otherChannel.addEventListener('message', (event) => reachedOther.push(event.data));
    sender('panel-mine', 'rec-1', new Blob(['mine'], { type: 'audio/webm' }));
    await delivered();
    expect(reachedOther).toEqual([]);
    expect(other.take('rec-1')).toBeUndefined();
    expect(await mine.take('rec-1')?.text()).toBe('mine');
  });

  it('ignores anything on the channel that is not a recording', async () => {
    const { receiver } = pair('handover-junk');
    const stranger = track(handoverChannel('handover-junk'));
    stranger.postMessage({ recordingId: 'rec-1', blob: 'not a blob' });
    stranger.postMessage(null);
    await delivered();
    expect(receiver.take('rec-1')).toBeUndefined();
  });

  it('waits for audio that arrives just after the stop was answered, and gives up after the wait', async () => {
    const { send, receiver } = pair('handover-late');
    const late = receiver.arrival('rec-1', 500);
    send('rec-1', new Blob(['late'], { type: 'audio/webm' }));
    expect(await (await late)?.text()).toBe('late');
    // Taken by the waiting turn: nothing is left for a second taker.
    await delivered();
    expect(receiver.take('rec-1')).toBeUndefined();
    const started = Date.now();
    expect(await receiver.arrival('never-sent', 50)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
