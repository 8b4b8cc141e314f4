import { describe, expect, it, vi } from 'vitest';
import type { SavedRecording } from '@/core/messages';
import type { RecorderClient } from './recorder-client';
import { fakeSettings, recordEvents } from './testing/turn-fakes';

/** Practice attempts on their own: judged word by word on this computer, their audio deleted. */

vi.mock('./teacher-api', () => ({
  transcribe: vi.fn(async () => ({ text: 'Yesterday I went to park.' })),
}));

const { createPracticeAttempts } = await import('./practice-attempts');

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
const target = { id: 't1', text: 'Yesterday I went to the park.', kind: 'say-again' as const };

function setUp() {
  const events = recordEvents();
  const recorder = {
    takeAudio: vi.fn(async () => new Blob([new Uint8Array([1])])),
    read: vi.fn(async () => undefined),
    discard: vi.fn(async () => undefined),
  } as unknown as RecorderClient;
  const onAttempt = vi.fn(async () => undefined);
  const practice = createPracticeAttempts({ recorder, settings: fakeSettings(), dispatch: events.dispatch, onAttempt });
  return { events, recorder, onAttempt, practice };
}

describe('a practice attempt', () => {
  it('is compared with its text word by word, kept by target, and its audio deleted', async () => {
    const { events, recorder, onAttempt, practice } = setUp();
    await practice.judge(recording, target);
    const result = practice.attempts.value.t1!;
    expect(result).toMatchObject({ said: 'Yesterday I went to park.', durationMs: 1800, target });
    expect(result.comparison!.words.find((word) => word.status === 'missed')).toMatchObject({ expected: 'the' });
    expect(onAttempt).toHaveBeenCalledWith(result);
    expect(events.events).toEqual([{ type: 'attempt-judged', targetId: 't1' }]);
    expect(vi.mocked(recorder.discard)).toHaveBeenCalledWith('rec9');
  });

  it('is transcribed without the prompt, which could make the server hear the text it was meant to be', async () => {
    const { practice } = setUp();
    await practice.judge(recording, target);
    const { transcribe } = await import('./teacher-api');
    expect(vi.mocked(transcribe).mock.calls.at(-1)![0]).toMatchObject({ prompt: '' });
  });

  it('whose audio is lost fails, and still leaves no audio behind', async () => {
    const { recorder, practice } = setUp();
    vi.mocked(recorder.takeAudio).mockResolvedValueOnce(undefined);
    await expect(practice.judge(recording, target)).rejects.toThrow();
    expect(practice.attempts.value.t1).toBeUndefined();
    expect(vi.mocked(recorder.discard)).toHaveBeenCalledWith('rec9');
  });
});
