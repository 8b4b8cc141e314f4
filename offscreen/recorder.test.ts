import { describe, expect, it } from 'vitest';
import type { Recording } from '../core/db/schema';
import type { RecorderEvent, StartRecordingRequest } from '../core/messages';
import { Recorder, type RecorderEnvironment } from './recorder';
import { MAX_RECORDING_MS } from './input-monitor';
import { FakeMicrophone } from '../core/testing/fakes';
import { TranscriptionStream } from './transcription-stream';

function namedError(name: string): DOMException {
  return new DOMException(`${name} happened`, name);
}

function setup(
  options: {
    openError?: DOMException;
    permission?: PermissionState;
    handOver?: boolean;
    saveError?: Error;
    streamTranscription?: RecorderEnvironment['streamTranscription'];
  } = {},
) {
  const microphones: FakeMicrophone[] = [];
  const saved: Recording[] = [];
  const events: RecorderEvent[] = [];
  /** What was handed to the panels, and how many recordings were saved at that moment. */
  const handedOver: Array<{ panelId: string; recordingId: string; blob: Blob; savedBefore: number }> = [];
  const env: RecorderEnvironment = {
    ...(options.handOver === false
      ? {}
      : {
          handOver: (panelId: string, recordingId: string, blob: Blob) =>
            void handedOver.push({ panelId, recordingId, blob, savedBefore: saved.length }),
        }),
    async openMicrophone() {
      if (options.openError) throw options.openError;
      const microphone = new FakeMicrophone();
      microphones.push(microphone);
      return microphone;
    },
    microphonePermission: async () => options.permission ?? 'granted',
    ...(options.streamTranscription ? { streamTranscription: options.streamTranscription } : {}),
    saveRecording: async (recording: Recording) => {
      // Like IndexedDB, the write completes a moment later.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (options.saveError) throw options.saveError;
      saved.push(recording);
    },
  };
  const recorder = new Recorder((_panelId, event) => events.push(event), env);
  const mic = (): FakeMicrophone => microphones.at(-1)!;
  const getRecording = (id: string): Recording | undefined => saved.find((r) => r.id === id);
  return { recorder, events, mic, microphones, saved, getRecording, handedOver };
}

const pushToTalk: StartRecordingRequest = {
  panelId: 'panel-a',
  conversationId: 'c1',
  handsFree: false,
  vad: { endSilenceMs: 700, idleTimeoutMs: 10_000 },
};
const handsFree: StartRecordingRequest = {
  ...pushToTalk,
  handsFree: true,
  vad: { endSilenceMs: 700, idleTimeoutMs: 3000 },
};

function nextEvent(events: RecorderEvent[], type: RecorderEvent['type']): Promise<RecorderEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      const found = events.find((e) => e.type === type);
      if (found) resolve(found);
      else if (Date.now() - started > 2000) reject(new Error(`no ${type} event`));
      else setTimeout(poll, 2);
    };
    poll();
  });
}

describe('Recorder', () => {
  it('hands the audio to its panel and answers the stop while the save is still being written, then says it is stored', async () => {
    const { recorder, mic, getRecording, handedOver, events } = setup();
    await recorder.start(pushToTalk);
    mic().chunk([1, 2, 3]);
    mic().play(300, 0.1);
    const result = await recorder.stop('panel-a');
    if (result.status !== 'saved') throw new Error(`expected saved, got ${result.status}`);
    // The upload can leave now: the write runs beside it.
    expect(result.writing).toBe(true);
    expect(getRecording(result.recordingId)).toBeUndefined();
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]).toMatchObject({ panelId: 'panel-a', recordingId: result.recordingId });
    expect(handedOver[0]?.savedBefore).toBe(0);
    const stored = await nextEvent(events, 'recording-stored');
    expect(stored).toMatchObject({ type: 'recording-stored', recordingId: result.recordingId });
    const kept = getRecording(result.recordingId);
    expect(new Uint8Array(await handedOver[0]!.blob.arrayBuffer())).toEqual(
      new Uint8Array(await kept!.blob.arrayBuffer()),
    );
  });

  it('without a hand-over: records, saves the whole recording in IndexedDB before replying, and releases the microphone', async () => {
    const { recorder, mic, getRecording } = setup({ handOver: false });
    const started = await recorder.start(pushToTalk);
    expect(started.status).toBe('recording');
    mic().chunk([1, 2, 3, 4]);
    mic().play(500, 0.1);
    mic().chunk([5, 6]);

    const result = await recorder.stop('panel-a');
    if (result.status !== 'saved') throw new Error(`expected saved, got ${result.status}`);
    // The last chunk arrives after stop was requested and is still part of the recording.
    expect(result.bytes).toBe(9);
    const saved = getRecording(result.recordingId);
    expect(saved?.conversationId).toBe('c1');
    expect(new Uint8Array(await saved!.blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 9, 9, 9]));
    expect(saved?.mimeType).toBe('audio/webm;codecs=opus');
    expect(result.stopRequestedAt).toBeLessThanOrEqual(result.stoppedAt);
    expect(result.writing).toBe(false);
    expect(result.stoppedAt).toBeLessThanOrEqual(result.savedAt ?? Number.NaN);
    expect(result.speechDetected).toBe(true);
    expect(result.peakLevel).toBeGreaterThan(0.09);
    expect(mic().released).toBe(true);
    expect(mic().tapClosed).toBe(true);
    expect(recorder.recording).toBe(false);
  });

  it('answers a second start with already-recording and keeps the first recording', async () => {
    const { recorder, microphones } = setup();
    const first = await recorder.start(pushToTalk);
    const second = await recorder.start(pushToTalk);
    if (first.status !== 'recording') throw new Error(first.status);
    expect(second).toEqual({ status: 'already-recording', startedAt: first.startedAt });
    expect(microphones).toHaveLength(1);
    await recorder.cancel('panel-a');
  });

  it('opens the microphone once when two starts race', async () => {
    const { recorder, microphones } = setup();
    const [a, b] = await Promise.all([recorder.start(pushToTalk), recorder.start(pushToTalk)]);
    expect([a.status, b.status].sort()).toEqual(['already-recording', 'recording']);
    expect(microphones).toHaveLength(1);
    await recorder.cancel('panel-a');
  });

  it('belongs to the panel that started it: another panel is told busy and cannot stop or cancel it', async () => {
    const { recorder, microphones, mic } = setup();
    await recorder.start(pushToTalk);
    expect(await recorder.start({ ...pushToTalk, panelId: 'panel-b' })).toEqual({ status: 'busy' });
    expect(await recorder.stop('panel-b')).toEqual({ status: 'not-recording' });
    await recorder.cancel('panel-b');
    expect(recorder.owner).toBe('panel-a');
    expect(mic().released).toBe(false);
    expect(microphones).toHaveLength(1);
    expect((await recorder.stop('panel-a')).status).toBe('saved');
    // Once the first panel's turn is over, the microphone is free for the other.
    expect((await recorder.start({ ...pushToTalk, panelId: 'panel-b' })).status).toBe('recording');
    expect(recorder.owner).toBe('panel-b');
    await recorder.cancel('panel-b');
  });

  it('replies not-recording to a stop with nothing recording', async () => {
    const { recorder } = setup();
    expect(await recorder.stop('panel-a')).toEqual({ status: 'not-recording' });
  });

  it('discards a cancelled recording without saving it', async () => {
    const { recorder, mic, saved } = setup();
    await recorder.start(pushToTalk);
    mic().chunk([1, 2, 3]);
    await recorder.cancel('panel-a');
    expect(mic().released).toBe(true);
    expect(saved).toHaveLength(0);
    expect(await recorder.stop('panel-a')).toEqual({ status: 'not-recording' });
  });

  it('answers a start whose microphone cannot be opened with why, holding nothing', async () => {
    const { recorder } = setup({ openError: namedError('NotAllowedError'), permission: 'prompt' });
    expect(await recorder.start(pushToTalk)).toEqual({ status: 'permission-needed' });
    expect(recorder.recording).toBe(false);
    expect(recorder.owner).toBeUndefined();
  });

  it('hands-free: announces speech, then stops and saves by itself about 700 ms after the learner goes quiet', async () => {
    const { recorder, mic, events, getRecording } = setup();
    await recorder.start(handsFree);
    mic().play(300, 0.001);
    mic().play(1000, 0.1);
    expect(events.filter((e) => e.type === 'speech-start')).toHaveLength(1);
    // The meter's level reaches the panel with the time into the recording.
    expect(events.find((e) => e.type === 'level')).toMatchObject({
      level: expect.any(Number),
      elapsedMs: expect.any(Number),
    });
    mic().play(600, 0.001);
    expect(events.some((e) => e.type === 'auto-stopped')).toBe(false);
    mic().play(200, 0.001);
    const stopped = await nextEvent(events, 'auto-stopped');
    if (stopped.type !== 'auto-stopped' || stopped.result.status !== 'saved') throw new Error('not saved');
    expect(stopped.result.speechDetected).toBe(true);
    await nextEvent(events, 'recording-stored');
    expect(getRecording(stopped.result.recordingId)).toBeDefined();
    expect(mic().released).toBe(true);
    // A stop pressed just after the detector ended the turn finds nothing left to stop.
    expect(await recorder.stop('panel-a')).toEqual({ status: 'not-recording' });
  });

  it('hands-free: stops listening and releases the microphone when nobody speaks', async () => {
    const { recorder, mic, events } = setup();
    await recorder.start(handsFree);
    mic().play(3100, 0.001);
    await nextEvent(events, 'idle-timeout');
    expect(mic().released).toBe(true);
    expect(recorder.recording).toBe(false);
  });

  it('a start during an automatic stop waits for it, then records a new turn', async () => {
    const { recorder, mic, microphones, events } = setup();
    await recorder.start(handsFree);
    mic().play(800, 0.1);
    mic().play(800, 0.001);
    const restarted = await recorder.start(handsFree);
    expect(restarted.status).toBe('recording');
    expect(events.some((e) => e.type === 'auto-stopped')).toBe(true);
    expect(microphones).toHaveLength(2);
    expect(microphones[0]!.released).toBe(true);
    expect(microphones[1]!.released).toBe(false);
    await recorder.cancel('panel-a');
  });

  it('ends and saves a push-to-talk turn nobody stopped after MAX_RECORDING_MS, releasing the microphone', async () => {
    const { recorder, mic, events } = setup();
    await recorder.start(pushToTalk);
    mic().play(1000, 0.1);
    mic().play(MAX_RECORDING_MS - 2000, 0.0005);
    expect(mic().released).toBe(false);
    mic().play(1100, 0.0005);
    const stopped = await nextEvent(events, 'auto-stopped');
    expect(stopped.type === 'auto-stopped' && stopped.result.status).toBe('saved');
    expect(mic().released).toBe(true);
  });

  it('reports a recorder failure and releases the microphone', async () => {
    const { recorder, mic, events } = setup();
    await recorder.start(pushToTalk);
    mic().fail('device lost');
    await nextEvent(events, 'error');
    await Promise.resolve();
    expect(mic().released).toBe(true);
  });
});

describe('Recorder: a turn streamed to the companion while it is recorded', () => {
  const streamed: StartRecordingRequest = {
    ...pushToTalk,
    transcriptionStream: { companionUrl: 'http://127.0.0.1:8730', token: '', prompt: '' },
  };
  const transcript = { text: 'I like reading books in the evening.', duration: 1 };

  /** The companion's streaming endpoint; `refuse` answers every piece 503. */
  function streamingSetup(refuse = false) {
    const urls: string[] = [];
    const fetcher = async (url: string): Promise<Response> => {
      urls.push(url);
      if (url.endsWith('/stream')) return Response.json({ id: 's1' });
      if (url.endsWith('/end')) return Response.json(transcript);
      return refuse ? new Response('busy', { status: 503 }) : Response.json({ seconds: 0 }, { status: 202 });
    };
    return { ...setup({ streamTranscription: (config) => new TranscriptionStream(config, fetcher) }), urls };
  }

  it('sends the audio while it is recorded, and the transcript is the panel’s to take once', async () => {
    const { recorder, mic, urls } = streamingSetup();
    await recorder.start(streamed);
    mic().play(1000, 0.1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Sent before the stop: the pieces went as the learner spoke.
    expect(urls.filter((u) => u.endsWith('/stream/s1')).length).toBeGreaterThan(0);
    const result = await recorder.stop('panel-a');
    if (result.status !== 'saved') throw new Error(`expected saved, got ${result.status}`);
    expect(await recorder.takeStreamed(result.recordingId)).toEqual({ status: 'transcript', body: transcript });
    expect(urls.at(-1)).toBe('http://127.0.0.1:8730/v1/audio/transcriptions/stream/s1/end');
    expect(await recorder.takeStreamed(result.recordingId)).toMatchObject({ status: 'none' });
  });

  it('says why there is no transcript when the companion refused the stream, so the panel uploads the recording', async () => {
    const { recorder, mic } = streamingSetup(true);
    await recorder.start(streamed);
    mic().play(1000, 0.1);
    const result = await recorder.stop('panel-a');
    if (result.status !== 'saved') throw new Error(`expected saved, got ${result.status}`);
    const reply = await recorder.takeStreamed(result.recordingId);
    expect(reply.status).toBe('none');
    expect(reply.status === 'none' && reply.reason).toContain('503');
  });

  it('does not stream a turn whose settings do not ask for it, nor finish the stream of a cancelled one', async () => {
    const plain = streamingSetup();
    await plain.recorder.start(pushToTalk);
    plain.mic().play(500, 0.1);
    const result = await plain.recorder.stop('panel-a');
    if (result.status !== 'saved') throw new Error(`expected saved, got ${result.status}`);
    expect(plain.urls).toEqual([]);
    expect(await plain.recorder.takeStreamed(result.recordingId)).toMatchObject({ status: 'none' });

    const cancelled = streamingSetup();
    await cancelled.recorder.start(streamed);
    cancelled.mic().play(500, 0.1);
    await cancelled.recorder.cancel('panel-a');
    expect(cancelled.urls.some((u) => u.endsWith('/end'))).toBe(false);
  });
});
