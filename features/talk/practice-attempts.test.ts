import { describe, expect, it, vi } from 'vitest';
import type { JudgePronunciationReply, SavedRecording } from '@/core/messages';
import type { PronunciationResult } from '@/core/pronunciation';
import type { RecorderClient } from './recorder-client';
import type { PracticeTarget } from './turn-machine';
import { fakeSettings, recordEvents } from './testing/turn-fakes';

/**
 * Practice attempts on their own: judged for pronunciation on this computer and, for "Say it again" and "Read it
 * aloud", transcribed and compared word by word at the same time; their audio deleted from IndexedDB.
 */

vi.mock('./teacher-api', () => ({
  transcribe: vi.fn(async () => ({ text: 'Yesterday I went to park.' })),
}));

const { createPracticeAttempts } = await import('./practice-attempts');
const { transcribe } = await import('./teacher-api');

const recording: SavedRecording = {
  status: 'saved',
  recordingId: 'rec9',
  conversationId: 'c1',
  mimeType: 'audio/webm',
  bytes: 4000,
  durationMs: 1800,
  peakLevel: 0.3,
  speechDetected: true,
  stopRequestedAt: 100,
  stoppedAt: 110,
  writing: false,
  savedAt: 115,
};
const target: PracticeTarget = { id: 't1', text: 'Yesterday I went to the park.', kind: 'say-again' };
const JUDGED: PronunciationResult = {
  kind: 'judged',
  score: 84,
  words: [{ text: 'Yesterday', verdict: 'good', start: 0.3, end: 0.8, score: 90, phones: [] }],
  soundsToWorkOn: [],
  elapsedMs: 150,
};

function setUp() {
  const events = recordEvents();
  const audio = new Blob([new Uint8Array([1])]);
  const order: string[] = [];
  const recorder = {
    takeAudio: vi.fn(async () => audio),
    read: vi.fn(async () => undefined),
    discard: vi.fn(async () => {
      order.push('discard');
    }),
    judgePronunciation: vi.fn(async (): Promise<JudgePronunciationReply> => {
      order.push('judge');
      return JUDGED;
    }),
  } as unknown as RecorderClient;
  const onAttempt = vi.fn(async () => undefined);
  const practice = createPracticeAttempts({ recorder, settings: fakeSettings(), dispatch: events.dispatch, onAttempt });
  vi.mocked(transcribe).mockClear();
  return { events, recorder, onAttempt, practice, audio, order };
}

describe('a practice attempt', () => {
  it('is judged and compared with its text word by word, kept by target, and its audio deleted', async () => {
    const { events, recorder, onAttempt, practice } = setUp();
    await practice.judge(recording, target);
    const result = practice.attempts.value.t1!;
    expect(result).toMatchObject({
      said: 'Yesterday I went to park.',
      durationMs: 1800,
      target,
      pronunciation: JUDGED,
    });
    expect(result.comparison!.words.find((word) => word.status === 'missed')).toMatchObject({ expected: 'the' });
    expect(vi.mocked(recorder.judgePronunciation)).toHaveBeenCalledWith('rec9', 'Yesterday I went to the park.');
    expect(onAttempt).toHaveBeenCalledWith(result);
    expect(events.events).toEqual([{ type: 'attempt-judged', targetId: 't1' }]);
    expect(vi.mocked(recorder.discard)).toHaveBeenCalledWith('rec9');
  });

  it('is judged while it is transcribed, and its recording is deleted only after the judge has answered', async () => {
    const { recorder, practice, order } = setUp();
    let release!: () => void;
    vi.mocked(transcribe).mockImplementationOnce(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { text: 'Yesterday I went to the park.' };
    });
    const judging = practice.judge(recording, target);
    await vi.waitFor(() => expect(vi.mocked(transcribe)).toHaveBeenCalled());
    // The transcription has not answered, and the judge was already asked.
    expect(vi.mocked(recorder.judgePronunciation)).toHaveBeenCalledTimes(1);
    expect(vi.mocked(recorder.discard)).not.toHaveBeenCalled();
    release();
    await judging;
    expect(order).toEqual(['judge', 'discard']);
    expect(practice.attempts.value.t1!.comparison!.allRight).toBe(true);
  });

  it('is transcribed without the prompt, which could make the server hear the text it was meant to be', async () => {
    const { practice } = setUp();
    await practice.judge(recording, target);
    expect(vi.mocked(transcribe).mock.calls.at(-1)![0]).toMatchObject({ prompt: '' });
  });

  it.each(['repeat', 'sound-drill'] as const)(
    'of kind %s is judged on this computer only: nothing is transcribed',
    async (kind) => {
      const { events, practice } = setUp();
      const local: PracticeTarget = { id: `${kind}:1`, text: 'Think about it', kind };
      await practice.judge(recording, local);
      expect(vi.mocked(transcribe)).not.toHaveBeenCalled();
      const result = practice.attempts.value[local.id]!;
      expect(result.said).toBe('');
      expect(result.comparison).toBeUndefined();
      expect(result.pronunciation).toEqual(JUDGED);
      expect(events.events).toEqual([{ type: 'attempt-judged', targetId: local.id }]);
    },
  );

  it('in which nothing was heard is not transcribed: the judge says so', async () => {
    const { recorder, practice } = setUp();
    const silentRefusal = { kind: 'refused', reason: 'silent', messageKey: 'pronunciation.silent' } as const;
    vi.mocked(recorder.judgePronunciation).mockResolvedValueOnce(silentRefusal);
    await practice.judge({ ...recording, peakLevel: 0.001, speechDetected: false }, target);
    expect(vi.mocked(transcribe)).not.toHaveBeenCalled();
    expect(practice.attempts.value.t1).toMatchObject({ said: '', pronunciation: silentRefusal });
    expect(practice.attempts.value.t1!.comparison).toBeUndefined();
  });

  it('whose judge fails still shows the word comparison', async () => {
    const { events, recorder, practice } = setUp();
    vi.mocked(recorder.judgePronunciation).mockResolvedValueOnce({ kind: 'error', message: 'Could not start.' });
    await practice.judge(recording, target);
    const result = practice.attempts.value.t1!;
    expect(result.comparison!.right).toBeGreaterThan(0);
    expect(result.pronunciation).toBeUndefined();
    expect(events.events).toEqual([{ type: 'attempt-judged', targetId: 't1' }]);
  });

  it('whose transcription fails still shows the judgement, and fails with the transcription’s message', async () => {
    const { recorder, practice, onAttempt } = setUp();
    vi.mocked(transcribe).mockRejectedValueOnce(new Error('The transcription server answered 500.'));
    await expect(practice.judge(recording, target)).rejects.toThrow('The transcription server answered 500.');
    expect(practice.attempts.value.t1).toMatchObject({ said: '', pronunciation: JUDGED });
    expect(practice.attempts.value.t1!.comparison).toBeUndefined();
    expect(onAttempt).toHaveBeenCalledWith(practice.attempts.value.t1);
    expect(vi.mocked(recorder.discard)).toHaveBeenCalledWith('rec9');
  });

  it('judged on this computer only fails with the judge’s message when the judge fails', async () => {
    const { recorder, practice } = setUp();
    const message =
      'The pronunciation check could not start (x). Reload AITalk on chrome://extensions, then say it again.';
    vi.mocked(recorder.judgePronunciation).mockResolvedValueOnce({ kind: 'error', message });
    await expect(practice.judge(recording, { ...target, kind: 'repeat' })).rejects.toThrow(message);
    expect(practice.attempts.value.t1).toBeUndefined();
  });

  it('whose audio is lost fails, and still leaves no audio behind', async () => {
    const { recorder, practice } = setUp();
    vi.mocked(recorder.takeAudio).mockResolvedValueOnce(undefined);
    vi.mocked(recorder.judgePronunciation).mockResolvedValueOnce({ kind: 'error', message: 'gone' });
    await expect(practice.judge(recording, target)).rejects.toThrow(/could not be read back/);
    expect(practice.attempts.value.t1).toBeUndefined();
    expect(vi.mocked(recorder.discard)).toHaveBeenCalledWith('rec9');
  });

  it('keeps the audio of the latest attempt at each target in memory until the conversation is left', async () => {
    const { practice, audio, recorder } = setUp();
    await practice.judge(recording, target);
    expect(practice.audioOf('t1')).toBe(audio);
    const later = new Blob([new Uint8Array([2])]);
    vi.mocked(recorder.takeAudio).mockResolvedValueOnce(later);
    await practice.judge({ ...recording, recordingId: 'rec10' }, target);
    expect(practice.audioOf('t1')).toBe(later);
    practice.forgetAudio();
    expect(practice.audioOf('t1')).toBeUndefined();
  });
});
