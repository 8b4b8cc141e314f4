import { describe, expect, it, vi } from 'vitest';
import type { PronunciationResult } from '../../core/pronunciation';
import type { JudgeWorkerReply, JudgeWorkerRequest } from './protocol';
import { createPronunciationJudging, type JudgeWorkerLike } from './pronunciation-judging';

/**
 * The recording document's side of the judge, with a stand-in worker (vitest has no module workers; the real
 * judge runs in Node in offscreen/pronunciation/judge.test.ts and in Chromium in e2e/pronunciation.e2e.ts).
 */

const JUDGED: PronunciationResult = { kind: 'judged', score: 91, words: [], soundsToWorkOn: [], elapsedMs: 120 };

class FakeWorker implements JudgeWorkerLike {
  onmessage: ((event: MessageEvent<JudgeWorkerReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  requests: JudgeWorkerRequest[] = [];
  transferred: Transferable[][] = [];
  terminated = false;
  constructor(private readonly answer: (request: JudgeWorkerRequest) => Omit<JudgeWorkerReply, 'id'> | null) {}
  postMessage(message: JudgeWorkerRequest, transfer: Transferable[]): void {
    this.requests.push(message);
    this.transferred.push(transfer);
    const answer = 'load' in message ? { loaded: true as const } : this.answer(message);
    if (answer) {
      const reply = { id: message.id, ...answer } as JudgeWorkerReply;
      queueMicrotask(() => this.onmessage?.(new MessageEvent('message', { data: reply })));
    }
  }
  crash(message: string): void {
    this.onerror?.(new ErrorEvent('error', { message, cancelable: true }));
  }
  terminate(): void {
    this.terminated = true;
  }
}

function setUp(
  answer: (request: JudgeWorkerRequest) => Omit<JudgeWorkerReply, 'id'> | null = () => ({ judgement: JUDGED }),
) {
  const workers: FakeWorker[] = [];
  const audio = new Map([['rec1', new Blob([new Uint8Array([1, 2, 3])], { type: 'audio/webm' })]]);
  const pcm = new Float32Array([0.1, -0.1, 0.2]);
  const decode = vi.fn(async (_blob: Blob) => pcm.slice());
  const judging = createPronunciationJudging({
    startWorker: () => {
      const worker = new FakeWorker(answer);
      workers.push(worker);
      return worker;
    },
    modelBase: 'chrome-extension://aitalk/soundswallower/model/',
    audioOf: async (id) => audio.get(id),
    decode,
  });
  return { judging, workers, decode, audio };
}

const request = { recordingId: 'rec1', text: 'Yesterday I went to the park' };

describe('judging a practice attempt in the recording document', () => {
  it('decodes the recording it holds and has the worker judge those samples against the text', async () => {
    const { judging, workers, decode, audio } = setUp();
    expect(await judging.judge(request)).toEqual(JUDGED);
    expect(decode).toHaveBeenCalledWith(audio.get('rec1'));
    const sent = workers[0]!.requests[0]!;
    if ('load' in sent) throw new Error('a load, not a judgement');
    expect(sent).toMatchObject({ text: request.text, modelBase: 'chrome-extension://aitalk/soundswallower/model/' });
    expect([...sent.pcm]).toEqual([...new Float32Array([0.1, -0.1, 0.2])]);
    // The samples are handed over, not copied.
    expect(workers[0]!.transferred[0]).toEqual([sent.pcm.buffer]);
  });

  it('starts the worker on the first request and keeps it (the model stays loaded)', async () => {
    const { judging, workers } = setUp();
    expect(workers).toHaveLength(0);
    await judging.judge(request);
    await judging.judge(request);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.requests).toHaveLength(2);
  });

  it('loads the judge when warmed, before any attempt is judged', async () => {
    const { judging, workers } = setUp();
    judging.warm();
    expect(workers).toHaveLength(1);
    expect(workers[0]!.requests[0]).toMatchObject({
      load: true,
      modelBase: 'chrome-extension://aitalk/soundswallower/model/',
    });
    await judging.judge(request);
    expect(workers).toHaveLength(1);
  });

  it('answers a worker that cannot be created with what to do', async () => {
    const judging = createPronunciationJudging({
      startWorker: () => {
        throw new DOMException('Worker is not allowed', 'SecurityError');
      },
      modelBase: 'base/',
      audioOf: async () => new Blob([new Uint8Array([1])]),
      decode: async () => new Float32Array(4),
    });
    judging.warm();
    const reply = await judging.judge(request);
    expect(reply.kind === 'error' && reply.message).toMatch(/could not start.*Worker is not allowed.*Reload AITalk/);
  });

  it('answers a recording it no longer has with what to do, without starting the judge', async () => {
    const { judging, workers } = setUp();
    const reply = await judging.judge({ ...request, recordingId: 'gone' });
    expect(reply).toEqual({ kind: 'error', message: expect.stringMatching(/say it again/i) as unknown });
    expect(workers).toHaveLength(0);
  });

  it('answers audio it cannot decode with what to do', async () => {
    const { judging, decode } = setUp();
    decode.mockRejectedValueOnce(new DOMException('Unable to decode audio data', 'EncodingError'));
    const reply = await judging.judge(request);
    expect(reply.kind).toBe('error');
    expect(reply.kind === 'error' && reply.message).toMatch(
      /could not be read.*Unable to decode audio data.*say it again/i,
    );
  });

  it('answers a model that failed to load with what to do', async () => {
    const { judging } = setUp(() => ({ failed: 'load', detail: 'Failed to fetch model/en-us/mdef' }));
    const reply = await judging.judge(request);
    expect(reply.kind === 'error' && reply.message).toMatch(/could not start.*Failed to fetch.*Reload AITalk/);
  });

  it('fails the requests of a worker that could not start, and starts a new one for the next', async () => {
    let crash = true;
    const { judging, workers } = setUp(() => (crash ? null : { judgement: JUDGED }));
    const first = judging.judge(request);
    await vi.waitFor(() => expect(workers[0]?.requests).toHaveLength(1));
    workers[0]!.crash('WebAssembly.instantiate(): refused');
    expect(await first).toEqual({
      kind: 'error',
      message: expect.stringMatching(/could not start.*refused/) as unknown,
    });
    expect(workers[0]!.terminated).toBe(true);
    crash = false;
    expect(await judging.judge(request)).toEqual(JUDGED);
    expect(workers).toHaveLength(2);
  });
});
