import { signal } from '@preact/signals';
import { describe, expect, it, vi } from 'vitest';
import type { PronunciationJudgement, WordJudgement } from '@/core/pronunciation';
import { createAttemptWords } from './attempt-playback';
import type { PracticeResult } from './practice-attempts';

/** A word of the learner's attempt played back, then said by the teacher (the audio player stands in). */

const word = (text: string, start: number, end: number, verdict: WordJudgement['verdict'] = 'good'): WordJudgement => ({
  text,
  verdict,
  start,
  end,
  phones: [],
});

function setUp(pronunciation?: PronunciationJudgement) {
  const blob = new Blob([new Uint8Array([1])]);
  const result: PracticeResult = {
    target: { id: 'repeat:m1:0', text: 'I think so', kind: 'repeat' },
    said: '',
    durationMs: 1500,
    at: 1,
    ...(pronunciation ? { pronunciation } : {}),
  };
  const heard: string[] = [];
  const play = vi.fn(async (_blob: Blob, from: number, to: number) => {
    heard.push(`learner ${from.toFixed(2)}-${to.toFixed(2)}`);
  });
  const say = vi.fn((text: string) => heard.push(`teacher ${text}`));
  const playWord = createAttemptWords({
    attempts: signal({ [result.target.id]: result }),
    audioOf: () => blob,
    say,
    play,
  });
  return { playWord, heard, play, blob };
}

const judged: PronunciationJudgement = {
  kind: 'judged',
  score: 70,
  words: [word('I', 0.3, 0.42), word('think', 0.42, 0.8, 'unclear'), word('so', 0, 0, 'missed')],
  soundsToWorkOn: [],
  elapsedMs: 100,
};

describe('playing a word of an attempt', () => {
  it('plays the learner’s own word with 50 ms either side, then the teacher says it', async () => {
    const { playWord, heard, play, blob } = setUp(judged);
    await playWord('repeat:m1:0', 1);
    expect(heard).toEqual(['learner 0.37-0.85', 'teacher think']);
    expect(play.mock.calls[0]![0]).toBe(blob);
  });

  it('never starts before the recording does', async () => {
    const { playWord, heard } = setUp({ ...judged, words: [word('I', 0.02, 0.2)] });
    await playWord('repeat:m1:0', 0);
    expect(heard[0]).toBe('learner 0.00-0.25');
  });

  it('only has the teacher say a word the judge did not find in the recording', async () => {
    const { playWord, heard } = setUp(judged);
    await playWord('repeat:m1:0', 2);
    expect(heard).toEqual(['teacher so']);
  });

  it('does nothing for an attempt that was refused or not judged', async () => {
    const refused = setUp({ kind: 'refused', reason: 'silent', messageKey: 'pronunciation.silent' });
    await refused.playWord('repeat:m1:0', 0);
    expect(refused.heard).toEqual([]);
    const none = setUp();
    await none.playWord('repeat:m1:0', 0);
    expect(none.heard).toEqual([]);
  });
});
