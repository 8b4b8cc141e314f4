import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SavedRecording, StreamedTranscriptReply } from '@/core/messages';
import type { BannerStore } from '../../panel/banner';
import type { RecorderClient } from './recorder-client';
import { fakeHistory, fakeSettings, recordEvents } from './testing/turn-fakes';

/** The learner's turn as text, on its own: saved, uploaded, shown, kept; or failed with its reason. */

let transcript = { text: 'Yesterday I go to the park.' };
vi.mock('./teacher-api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./teacher-api')>()),
  transcribe: vi.fn(async (_endpoint: unknown, _blob: Blob, _mime: string, options: { onSent?(): void }) => {
    options.onSent?.();
    return transcript;
  }),
}));

const { createTranscription } = await import('./transcription');
const { createUnsavedMessages } = await import('./unsaved-messages');

const recording: SavedRecording = {
  status: 'saved',
  recordingId: 'rec1',
  conversationId: 'c1',
  mimeType: 'audio/webm',
  bytes: 4000,
  durationMs: 2000,
  peakLevel: 0.3,
  speechDetected: true,
  stopRequestedAt: 100,
  stoppedAt: 110,
  writing: false,
  savedAt: 115,
};

function setUp(settingsOverrides: Parameters<typeof fakeSettings>[0] = {}, streamed?: StreamedTranscriptReply) {
  const history = fakeHistory();
  const events = recordEvents();
  const audio = new Blob([new Uint8Array([1, 2, 3])]);
  const recorder = {
    takeAudio: vi.fn(async () => audio),
    read: vi.fn(async () => ({ blob: audio, mimeType: 'audio/webm', durationMs: 2000 })),
    stored: vi.fn(async () => undefined),
    streamedTranscript: vi.fn(async () => streamed ?? { status: 'none', reason: 'not streamed' }),
  } as unknown as RecorderClient;
  const banner = { info: vi.fn(), showError: vi.fn() } as unknown as BannerStore;
  const transcription = createTranscription({
    recorder,
    history: history.store,
    settings: fakeSettings(settingsOverrides),
    banner,
    unsaved: createUnsavedMessages(history.store, events.dispatch),
    dispatch: events.dispatch,
  });
  return { history, events, recorder, transcription, audio };
}

beforeEach(() => {
  transcript = { text: 'Yesterday I go to the park.' };
});

describe('a new turn’s transcription', () => {
  it('keeps the turn before the upload, uploads the audio handed over in memory, then shows and keeps the transcript', async () => {
    const { history, events, transcription, audio } = setUp();
    await transcription.transcribeNew(recording, 90);
    const { transcribe } = await import('./teacher-api');
    expect(vi.mocked(transcribe).mock.calls.at(-1)![1]).toBe(audio);
    expect(history.stored[0]).toMatchObject({ role: 'user', status: 'transcribing', recordingId: 'rec1' });
    const id = history.stored[0]!.id;
    expect(history.storedOf(id)).toMatchObject({ text: 'Yesterday I go to the park.', status: 'done', durationS: 2 });
    expect(history.storedOf(id)!.timings).toMatchObject({ stopPressedAt: 90, recordingSavedAt: 115 });
    expect(events.events).toEqual([{ type: 'transcribed', messageId: id, replyId: expect.any(String) as string }]);
  });

  it('whose writes fail keeps the transcript shown, asks the teacher, and says it was not saved', async () => {
    const { history, events, transcription } = setUp();
    const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    history.failWrites(() => full);
    await transcription.transcribeNew(recording, 90);
    const shown = history.messages.value[0]!;
    expect(shown).toMatchObject({ role: 'user', text: 'Yesterday I go to the park.', status: 'done' });
    expect(history.stored).toEqual([]);
    expect(events.events).toEqual([
      { type: 'transcribed', messageId: shown.id, replyId: expect.any(String) as string },
      { type: 'not-saved', messageId: shown.id, error: full },
    ]);
  });

  it('that fails keeps the turn, marked failed with the reason, for Retry', async () => {
    const { history, events, transcription } = setUp();
    const { transcribe } = await import('./teacher-api');
    vi.mocked(transcribe).mockRejectedValueOnce(new Error('Invalid API key.'));
    await transcription.transcribeNew(recording, 90);
    const id = history.stored[0]!.id;
    expect(history.storedOf(id)).toMatchObject({ status: 'failed', error: 'Invalid API key.' });
    expect(events.events).toEqual([
      { type: 'transcription-failed', messageId: id, error: new Error('Invalid API key.'), empty: false },
    ]);
  });

  it('with no words in it says so, and asks nobody', async () => {
    transcript = { text: '' };
    const { history, events, transcription } = setUp();
    await transcription.transcribeNew(recording, 90);
    expect(events.events).toEqual([
      { type: 'transcription-failed', messageId: history.stored[0]!.id, error: null, empty: true },
    ]);
  });
});

describe('a kept turn transcribed again (Retry, or a recording made while the panel was closed)', () => {
  it('reads the recording from IndexedDB', async () => {
    const { history, events, recorder, transcription } = setUp();
    history.messages.value = [
      {
        id: 'u1',
        conversationId: 'c1',
        role: 'user',
        text: '',
        status: 'failed',
        createdAt: 1,
        recordingId: 'rec1',
        timings: {},
      },
    ];
    await transcription.transcribeSaved('u1');
    expect(vi.mocked(recorder.read)).toHaveBeenCalledWith('rec1');
    expect(history.storedOf('u1')).toMatchObject({ status: 'done', text: 'Yesterday I go to the park.' });
    expect(events.events[0]).toMatchObject({ type: 'transcribed', messageId: 'u1' });
  });

  it('whose recording is gone fails with that reason', async () => {
    const { history, events, transcription } = setUp();
    history.messages.value = [
      { id: 'u1', conversationId: 'c1', role: 'user', text: '', status: 'failed', createdAt: 1, timings: {} },
    ];
    await transcription.transcribeSaved('u1');
    expect(events.events[0]).toMatchObject({ type: 'transcription-failed', messageId: 'u1', empty: false });
  });
});

describe('a turn the companion transcribed while it was recorded (issue 22)', () => {
  const companion = { companionUrl: 'http://127.0.0.1:8730', transcriptionUrl: 'http://127.0.0.1:8730/v1' };
  const words = [{ word: ' Yesterday', start: 0.5, end: 0.9 }];

  it('shows the streamed transcript, with its word timings, and uploads nothing', async () => {
    const { history, events, transcription, recorder } = setUp(companion, {
      status: 'transcript',
      body: { text: ' Yesterday I went to the park. ', duration: 2.4, words },
    });
    const { transcribe } = await import('./teacher-api');
    const uploads = vi.mocked(transcribe).mock.calls.length;
    await transcription.transcribeNew(recording, 90);
    expect(vi.mocked(recorder.streamedTranscript)).toHaveBeenCalledWith('rec1');
    expect(vi.mocked(transcribe).mock.calls.length).toBe(uploads);
    const id = history.stored[0]!.id;
    expect(history.storedOf(id)).toMatchObject({
      text: 'Yesterday I went to the park.',
      status: 'done',
      durationS: 2.4,
      words: [{ word: 'Yesterday', start: 0.5, end: 0.9 }],
    });
    expect(history.storedOf(id)!.timings.uploadSentAt).toBeUndefined();
    expect(events.events).toEqual([{ type: 'transcribed', messageId: id, replyId: expect.any(String) as string }]);
  });

  it('uploads the whole recording when the stream gave nothing, or an empty or unreadable answer', async () => {
    const { transcribe } = await import('./teacher-api');
    for (const streamed of [
      { status: 'none', reason: 'the companion answered 503' },
      { status: 'transcript', body: { text: '' } },
      { status: 'transcript', body: '<html>' },
    ] as const) {
      const { history, transcription, audio } = setUp(companion, streamed);
      const uploads = vi.mocked(transcribe).mock.calls.length;
      await transcription.transcribeNew(recording, 90);
      expect(vi.mocked(transcribe).mock.calls.length).toBe(uploads + 1);
      expect(vi.mocked(transcribe).mock.calls.at(-1)![1]).toBe(audio);
      expect(history.storedOf(history.stored[0]!.id)).toMatchObject({
        text: 'Yesterday I go to the park.',
        status: 'done',
      });
    }
  });

  it('does not ask the recording document when another server transcribes', async () => {
    const { transcription, recorder } = setUp({}, { status: 'transcript', body: { text: 'never used' } });
    await transcription.transcribeNew(recording, 90);
    expect(vi.mocked(recorder.streamedTranscript)).not.toHaveBeenCalled();
  });
});
