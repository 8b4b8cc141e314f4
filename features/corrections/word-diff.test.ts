import { describe, expect, it } from 'vitest';
import { compareAttempt, sentenceDiff } from './word-diff';

const statuses = (target: string, attempt: string) =>
  compareAttempt(target, attempt).words.map((w) => (w.status === 'extra' ? `+${w.said}` : `${w.expected}:${w.status}`));

describe('the correction card diff', () => {
  it('shows the replaced word as removed then added, the rest unchanged', () => {
    expect(sentenceDiff('Yesterday I go to the library', 'Yesterday I went to the library')).toEqual([
      { text: 'Yesterday I ', change: 'same' },
      { text: 'go', change: 'removed' },
      { text: 'went', change: 'added' },
      { text: ' to the library', change: 'same' },
    ]);
  });

  it('shows a word added and a word removed', () => {
    const parts = sentenceDiff('I am agree with you', 'I agree with you with pleasure');
    expect(parts.filter((p) => p.change === 'removed').map((p) => p.text.trim())).toEqual(['am']);
    expect(parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toEqual(['with pleasure']);
    const side = (skip: string) =>
      parts
        .filter((p) => p.change !== skip)
        .map((p) => p.text)
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
    expect(side('added')).toBe('I am agree with you');
    expect(side('removed')).toBe('I agree with you with pleasure');
  });

  it('has nothing removed or added for an unchanged sentence', () => {
    expect(sentenceDiff('I like tea.', 'I like tea.')).toEqual([{ text: 'I like tea.', change: 'same' }]);
  });
});

describe('a spoken attempt against the target sentence', () => {
  it('is all right when every word is said, whatever the case and punctuation', () => {
    const result = compareAttempt('Yesterday I went to the library.', 'yesterday i went to the library');
    expect(result).toMatchObject({ right: 6, total: 6, allRight: true });
  });

  it('marks a substituted word wrong, with what was said', () => {
    const result = compareAttempt('Yesterday I went to the library.', 'Yesterday I go to the library.');
    expect(result.allRight).toBe(false);
    expect(result.words[2]).toEqual({ status: 'wrong', expected: 'went', said: 'go' });
    expect(result.right).toBe(5);
  });

  it('marks missing words missed and added words extra, in place', () => {
    expect(statuses('I went to the library', 'I went library yesterday')).toEqual([
      'I:right',
      'went:right',
      'to:missed',
      'the:missed',
      'library:right',
      '+yesterday',
    ]);
    expect(compareAttempt('I went to the library', 'I really went to the library').allRight).toBe(false);
  });

  it('treats numbers, contractions and hesitations as the same words', () => {
    expect(compareAttempt('I have 21 books.', 'um I have twenty-one books').allRight).toBe(true);
    expect(compareAttempt('I have twenty one books', 'I have 21 books').allRight).toBe(true);
    expect(compareAttempt("I'm sure he can't come", 'I am sure he cannot come').allRight).toBe(true);
    expect(compareAttempt('It costs 1,000 yuan', 'it costs 1000 yuan').allRight).toBe(true);
    expect(compareAttempt('She doesn’t like it', "she doesn't like it").allRight).toBe(true);
  });

  it('judges a contraction as one word: half said is wrong, not right', () => {
    const result = compareAttempt("I'm happy", 'I happy');
    expect(result.words[0]).toEqual({ status: 'wrong', expected: "I'm", said: 'I' });
    expect(result.words).toHaveLength(2);
  });

  it('finds nothing right in silence', () => {
    expect(compareAttempt('I went home', '')).toMatchObject({ right: 0, total: 3, allRight: false });
    expect(compareAttempt('', 'hello').allRight).toBe(false);
  });
});
