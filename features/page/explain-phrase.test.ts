import { describe, expect, it } from 'vitest';
import { explainMessages, parseExplanation, sentenceAround } from './explain-phrase';

describe('"What does this mean?"', () => {
  it('asks in the explanation language, with the sentence the phrase is used in', () => {
    const [system, user] = explainMessages('canopy', 'The canopy shades the street.', 'zh-CN');
    expect(system?.content).toMatch(/Simplified Chinese/);
    expect(system?.content).toMatch(/Meaning: …\nExample: …/);
    expect(user?.content).toBe('Word or phrase: canopy\nSentence: The canopy shades the street.');
  });

  it('reads the two labelled lines, and refuses an answer without them', () => {
    expect(parseExplanation('canopy', 'Meaning: 树冠，树顶的枝叶。\nExample: The canopy kept us dry.')).toEqual({
      phrase: 'canopy',
      meaning: '树冠，树顶的枝叶。',
      example: 'The canopy kept us dry.',
    });
    expect(parseExplanation('canopy', '**Meaning**: the top of the trees\n**Example:** A green canopy.')).toMatchObject(
      {
        meaning: 'the top of the trees',
      },
    );
    expect(parseExplanation('canopy', 'It is the top of the trees.')).toBeNull();
  });

  it('finds the sentence a phrase is used in', () => {
    const text = 'Trees cool streets. The leafy canopy shades the pavement! Cities plant more.';
    expect(sentenceAround(text, 'leafy canopy')).toBe('The leafy canopy shades the pavement!');
    expect(sentenceAround(text, 'absent')).toBe('');
  });
});
