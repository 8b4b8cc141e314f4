import { describe, expect, it } from 'vitest';
import type { Recording } from '../core/db/schema';
import type { RecorderEvent } from '../core/messages';
import { keepRecording, type RecordingStore, type StoppedRecording } from './recording-keeper';

function store(options: { handOver?: boolean; saveError?: Error } = {}) {
  const saved: Recording[] = [];
  const events: Array<{ panelId: string; event: RecorderEvent }> = [];
  /** What was handed to the panel, and how many recordings were saved at that moment. */
  const handedOver: Array<{ panelId: string; recordingId: string; blob: Blob; savedBefore: number }> = [];
  const recordings: RecordingStore = {
    ...(options.handOver === false
      ? {}
      : {
          handOver: (panelId: string, recordingId: string, blob: Blob) =>
            void handedOver.push({ panelId, recordingId, blob, savedBefore: saved.length }),
        }),
    saveRecording: async (recording: Recording) => {
      // Like IndexedDB, the write completes a moment later.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (options.saveError) throw options.saveError;
      saved.push(recording);
    },
  };
  const emit = (panelId: string, event: RecorderEvent) => void events.push({ panelId, event });
  return { recordings, emit, saved, events, handedOver };
}

const stopped: StoppedRecording = {
  panelId: 'panel-a',
  conversationId: 'c1',
  purpose: 'turn',
  chunks: [new Blob([new Uint8Array([1, 2, 3, 4])]), new Blob([new Uint8Array([5, 6])])],
  mimeType: 'audio/webm;codecs=opus',
  startedAt: 1_000,
  stopRequestedAt: 2_990,
  stoppedAt: 3_000,
  peakLevel: 0.2,
  speechDetected: true,
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('keeping a stopped recording', () => {
  it('hands the audio to its panel and answers while the save is still being written, then says it is stored', async () => {
    const { recordings, emit, saved, events, handedOver } = store();
    const reply = await keepRecording(stopped, recordings, emit);
    if (reply.status !== 'saved') throw new Error(`expected saved, got ${reply.status}`);
    // The upload can leave now: the write runs beside it.
    expect(reply.writing).toBe(true);
    expect(saved).toHaveLength(0);
    expect(handedOver).toMatchObject([{ panelId: 'panel-a', recordingId: reply.recordingId, savedBefore: 0 }]);
    await tick();
    expect(events).toEqual([
      {
        panelId: 'panel-a',
        event: { type: 'recording-stored', recordingId: reply.recordingId, at: expect.any(Number) },
      },
    ]);
    expect(new Uint8Array(await handedOver[0]!.blob.arrayBuffer())).toEqual(
      new Uint8Array(await saved[0]!.blob.arrayBuffer()),
    );
  });

  it('a write that fails after the stop was answered is reported with what to do', async () => {
    const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const { recordings, emit, events } = store({ saveError: full });
    const reply = await keepRecording(stopped, recordings, emit);
    expect(reply).toMatchObject({ status: 'saved', writing: true });
    await tick();
    const failed = events[0]?.event;
    if (failed?.type !== 'recording-store-failed') throw new Error('not a store failure');
    expect(failed.recordingId).toBe(reply.status === 'saved' ? reply.recordingId : '');
    expect(failed.message).toMatch(/no room left.*Delete old conversations/);
  });

  it('without a hand-over: answers only once the whole recording is in IndexedDB', async () => {
    const { recordings, emit, saved, events } = store({ handOver: false });
    const reply = await keepRecording(stopped, recordings, emit);
    if (reply.status !== 'saved') throw new Error(`expected saved, got ${reply.status}`);
    expect(reply).toMatchObject({ writing: false, bytes: 6, durationMs: 2_000, peakLevel: 0.2, speechDetected: true });
    expect(reply.stoppedAt).toBeLessThanOrEqual(reply.savedAt ?? Number.NaN);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ id: reply.recordingId, conversationId: 'c1', mimeType: 'audio/webm;codecs=opus' });
    expect(new Uint8Array(await saved[0]!.blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect(events).toEqual([]);
  });

  it('without a hand-over, a failed write is the stop’s answer, in the learner’s words', async () => {
    const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const { recordings, emit } = store({ handOver: false, saveError: full });
    const reply = await keepRecording(stopped, recordings, emit);
    expect(reply).toMatchObject({ status: 'error', message: expect.stringMatching(/no room left/) });
  });
});
