import { describe, expect, it, vi } from 'vitest';
import type { StartRecordingReply, StopRecordingReply } from '@/core/messages';
import type { RecorderClient } from './recorder-client';
import { createMicrophone } from './microphone';
import { fakeHistory, fakeSettings, flush, recordEvents } from './testing/turn-fakes';

/** The turn's microphone on its own: what the recorder answers becomes the machine's events. */

function setUp(
  startReply: StartRecordingReply = { status: 'recording', startedAt: 1 },
  settings: Parameters<typeof fakeSettings>[0] = {},
) {
  const events = recordEvents();
  let silence: () => void = () => undefined;
  const silenced = new Promise<void>((resolve) => (silence = resolve));
  const recorder = {
    start: vi.fn(async () => startReply),
    stop: vi.fn(async (): Promise<StopRecordingReply> => ({ status: 'not-recording' })),
    cancel: vi.fn(async () => undefined),
    discard: vi.fn(async () => undefined),
  } as unknown as RecorderClient;
  const microphone = createMicrophone({
    recorder,
    history: fakeHistory('c7').store,
    settings: fakeSettings(settings),
    dispatch: events.dispatch,
    silenced: () => silenced,
  });
  return { events, recorder, microphone, silence };
}

describe('the microphone', () => {
  it('opens for the open conversation only once the teacher has fallen silent', async () => {
    const { events, recorder, microphone, silence } = setUp();
    const starting = microphone.start(false, 'turn');
    await flush();
    expect(vi.mocked(recorder.start)).not.toHaveBeenCalled();
    silence();
    await starting;
    // Another server transcribes: nothing is streamed, the recording is uploaded after the press.
    expect(vi.mocked(recorder.start)).toHaveBeenCalledWith('c7', false, 'turn', undefined);
    expect(events.events).toEqual([{ type: 'mic-started' }]);
  });

  it('asks the recording document to stream a turn, not a practice attempt, when the companion transcribes', async () => {
    const { recorder, microphone, silence } = setUp(undefined, {
      companionUrl: 'http://127.0.0.1:9000/',
      transcriptionUrl: 'http://127.0.0.1:9000/v1',
      companionToken: ' tok ',
    });
    silence();
    await microphone.start(false, 'turn');
    await microphone.start(false, 'practice');
    expect(vi.mocked(recorder.start).mock.calls).toEqual([
      [
        'c7',
        false,
        'turn',
        { companionUrl: 'http://127.0.0.1:9000', token: 'tok', prompt: expect.any(String) as string },
      ],
      ['c7', false, 'practice', undefined],
    ]);
  });

  it.each([
    [{ status: 'busy' } as const, { type: 'mic-refused', reason: 'busy' }],
    [{ status: 'permission-needed' } as const, { type: 'mic-refused', reason: 'permission-needed' }],
    [
      { status: 'error', message: 'No device.' } as const,
      { type: 'mic-refused', reason: 'error', message: 'No device.' },
    ],
  ])('refused (%o): the machine hears why', async (reply, event) => {
    const { events, microphone, silence } = setUp(reply as StartRecordingReply);
    silence();
    await microphone.start(true, 'turn');
    expect(events.events).toEqual([event]);
  });

  it('a stop that could not reach the recording document ends the recording with the reason', async () => {
    const { events, recorder, microphone } = setUp();
    vi.mocked(recorder.stop).mockRejectedValueOnce(new Error('AITalk could not reach its recorder.'));
    await microphone.stop();
    expect(events.events).toEqual([
      {
        type: 'recording-ended',
        result: { status: 'error', message: 'AITalk could not reach its recorder.' },
        stopPressedAt: expect.any(Number) as number,
      },
    ]);
  });

  it('passes on what the recorder hears: speech, a long silence, a failure', () => {
    const { events, microphone } = setUp();
    microphone.heard({ type: 'speech-start', at: 1 });
    microphone.heard({ type: 'idle-timeout' });
    microphone.heard({ type: 'error', message: 'The microphone was unplugged.' });
    microphone.heard({ type: 'level', level: 0.2, elapsedMs: 100 });
    expect(events.events).toEqual([
      { type: 'speech-start' },
      { type: 'idle-timeout' },
      { type: 'mic-failed', message: 'The microphone was unplugged.' },
    ]);
  });
});
