import { describe, expect, it } from 'vitest';
import type { StoredCheck } from '../../core/db/schema';
import { fluencyOf, pronunciationOf, type TimedWord } from './fluency';
import { sessionSummary } from './session-summary';

/** Words at the given start times, each 0.3 s long. */
const timed = (text: string, starts: number[]): TimedWord[] =>
  text.split(' ').map((word, i) => ({ word, start: starts[i]!, end: starts[i]! + 0.3 }));

describe('fluency figures', () => {
  it('measures speed and pauses from word timestamps', () => {
    const text = 'Yesterday I go to the library';
    const figures = fluencyOf([{ text, words: timed(text, [0.5, 0.9, 1.3, 3.0, 3.4, 3.8]), durationS: 5 }]);
    // Speaking from 0.5 s to 4.1 s: 6 words in 3.6 s = 100 wpm; one 1.4 s pause between "go" and "to".
    expect(figures).toEqual({
      source: 'word-timestamps',
      turns: 1,
      words: 6,
      speakingSeconds: 3.6,
      wordsPerMinute: 100,
      pausesOverOneSecond: 1,
      longestPauseSeconds: 1.4,
    });
  });

  it('adds up several turns', () => {
    const a = 'I like tea';
    const b = 'and coffee too';
    const figures = fluencyOf([
      { text: a, words: timed(a, [0, 0.4, 0.8]) },
      { text: b, words: timed(b, [0, 1.5, 1.9]) },
    ]);
    expect(figures).toMatchObject({
      turns: 2,
      words: 6,
      speakingSeconds: 3.3,
      pausesOverOneSecond: 1,
      longestPauseSeconds: 1.2,
    });
  });

  it('falls back to the recordings’ length without timestamps, and says so, with no pause figures', () => {
    const figures = fluencyOf([
      { text: 'I like tea very much', durationS: 3 },
      { text: 'Yes', durationS: 1 },
    ]);
    expect(figures).toEqual({
      source: 'recording-length',
      turns: 2,
      words: 6,
      speakingSeconds: 4,
      wordsPerMinute: 90,
      pausesOverOneSecond: null,
      longestPauseSeconds: null,
    });
  });

  it('does not trust a word list with words missing (some servers drop them)', () => {
    const text = 'Yesterday I go to the library';
    const figures = fluencyOf([{ text, words: timed('Yesterday library', [0, 4]), durationS: 5 }]);
    expect(figures?.source).toBe('recording-length');
    expect(figures?.pausesOverOneSecond).toBeNull();
  });

  it('uses the recording length for every turn when only some turns have timestamps', () => {
    const a = 'I like tea';
    const figures = fluencyOf([
      { text: a, words: timed(a, [0, 0.4, 0.8]), durationS: 2 },
      { text: 'Me too', durationS: 1 },
    ]);
    expect(figures).toMatchObject({ source: 'recording-length', words: 5, speakingSeconds: 3, wordsPerMinute: 100 });
  });

  it('has no figures without speech', () => {
    expect(fluencyOf([])).toBeNull();
    expect(fluencyOf([{ text: '', durationS: 2 }])).toBeNull();
    expect(fluencyOf([{ text: 'Hello there' }])).toBeNull();
  });
});

describe('the session’s pronunciation score', () => {
  it('is the mean of its judged attempts, rounded, or nothing when none was judged', () => {
    expect(pronunciationOf([{ score: 70 }, { score: 85 }, { score: 90 }])).toEqual({ score: 82, attempts: 3 });
    expect(pronunciationOf([])).toBeNull();
  });
});

describe('the session summary', () => {
  const check = (
    messageId: string,
    sentence: string,
    natural: string,
    corrections: StoredCheck['corrections'],
    dismissed: number[] = [],
  ): StoredCheck => ({
    messageId,
    conversationId: 'c',
    sentence,
    natural,
    corrections,
    dismissed,
    misheard: dismissed.length > 0,
    checkedAt: 1,
  });

  it('lists the session’s corrections and their natural versions as phrases, leaving out dismissed ones', () => {
    const summary = sessionSummary(
      [
        check('m1', 'I go home', 'I went home.', [
          { original: 'go', corrected: 'went', explanation: 'Past.', kind: 'grammar' },
        ]),
        check('m2', 'I like tea', 'I like tea.', []),
        check(
          'm3',
          'I buyed it',
          'I bought it.',
          [{ original: 'buyed', corrected: 'bought', explanation: 'Irregular.', kind: 'grammar' }],
          [0],
        ),
      ],
      [{ text: 'I go home', durationS: 2 }],
    );
    expect(summary.corrections).toEqual([
      {
        messageId: 'm1',
        sentence: 'I go home',
        correctedSentence: 'I went home',
        corrections: [expect.objectContaining({ corrected: 'went' })],
      },
    ]);
    expect(summary.phrases).toEqual(['I went home.']);
    expect(summary.fluency?.source).toBe('recording-length');
  });
});
