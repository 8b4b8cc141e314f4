import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { FakeContext, FakeMicrophone } from '../../core/testing/fakes';
import type { PronunciationResult } from '../../core/pronunciation';

/**
 * 'offscreen:judge-pronunciation' in the recording document: the panel asks right after the stop, while the
 * attempt is still being written to IndexedDB, and the judge gets the attempt's audio all the same.
 */

type Handler = (message: { data: unknown }) => unknown;
const handlers = new Map<string, Handler>();
vi.mock('../../core/messages', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../core/messages')>()),
  onMessage: (type: string, handler: Handler) => {
    handlers.set(type, handler);
    return () => handlers.delete(type);
  },
  sendMessage: vi.fn(async () => undefined),
}));

const { startOffscreenService } = await import('../offscreen-service');
const { AudioPlayer } = await import('../audio-player');

const JUDGED: PronunciationResult = { kind: 'judged', score: 77, words: [], soundsToWorkOn: [], elapsedMs: 90 };

async function ask(type: string, data?: unknown): Promise<unknown> {
  return handlers.get(type)!({ data });
}

function setUp() {
  handlers.clear();
  (chrome.runtime as { onConnect: unknown }).onConnect = { addListener: vi.fn() };
  const judged: { blob: Blob | undefined; text: string }[] = [];
  const warm = vi.fn();
  // The write to IndexedDB never finishes in this test: only the copy in memory can be judged.
  const service = startOffscreenService({
    player: new AudioPlayer(() => new FakeContext()),
    recorderEnvironment: {
      openMicrophone: async () => new FakeMicrophone(),
      microphonePermission: async () => 'granted',
      saveRecording: () => new Promise<void>(() => undefined),
      handOver: vi.fn(),
    },
    fetchImpl: vi.fn<typeof fetch>(),
    judging: (audioOf) => ({
      async judge({ recordingId, text }) {
        judged.push({ blob: await audioOf(recordingId), text });
        return JUDGED;
      },
      warm,
      dispose: vi.fn(),
    }),
  });
  return { service, judged, warm };
}

async function record(purpose: 'turn' | 'practice'): Promise<string> {
  const vad = { endSilenceMs: 700, idleTimeoutMs: 20_000 };
  await ask('offscreen:start-recording', { panelId: 'p1', conversationId: 'c1', handsFree: false, purpose, vad });
  const reply = (await ask('offscreen:stop-recording', { panelId: 'p1' })) as { recordingId: string; writing: boolean };
  expect(reply.writing).toBe(true);
  return reply.recordingId;
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('judging a practice attempt in the recording document', () => {
  it('judges the attempt just stopped from its audio in memory, before it is stored', async () => {
    const { service, judged } = setUp();
    const recordingId = await record('practice');
    expect(await ask('offscreen:judge-pronunciation', { recordingId, text: 'Hello there' })).toEqual(JUDGED);
    expect(judged).toHaveLength(1);
    expect(judged[0]!.text).toBe('Hello there');
    expect([...new Uint8Array(await judged[0]!.blob!.arrayBuffer())]).toEqual([9, 9, 9]);
    service.stop();
  });

  it('loads the judge while a practice attempt is recorded, not while a turn is', async () => {
    const { service, warm } = setUp();
    await record('turn');
    expect(warm).not.toHaveBeenCalled();
    await record('practice');
    expect(warm).toHaveBeenCalledTimes(1);
    service.stop();
  });

  it('keeps no learner turn in memory: a turn is not a practice attempt', async () => {
    const { service, judged } = setUp();
    const recordingId = await record('turn');
    await ask('offscreen:judge-pronunciation', { recordingId, text: 'Hello there' });
    expect(judged[0]!.blob).toBeUndefined();
    service.stop();
  });
});
