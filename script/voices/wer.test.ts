import { describe, expect, it } from 'vitest';
import { TEACHER_SENTENCES } from './sentences.ts';
import { corpusWer, normaliseWords, numberToWords, wordErrors } from './wer.ts';

const same = (a: string, b: string): void => expect(normaliseWords(b)).toEqual(normaliseWords(a));

describe('normaliseWords', () => {
  it('ignores case and punctuation, keeping the words in order', () => {
    expect(normaliseWords('Hello! How are you, today?')).toEqual(['hello', 'how', 'are', 'you', 'today']);
    same(
      "You said 'I go there yesterday'; we say 'I went there yesterday'.",
      'you said I go there yesterday we say I went there yesterday',
    );
  });

  it('reads numbers written as words and as digits alike, both ways', () => {
    for (const value of [
      0, 5, 12, 19, 24, 45, 60, 99, 100, 101, 365, 999, 1000, 1500, 1998, 2005, 2024, 12_345, 1_200_000,
    ])
      same(String(value), numberToWords(value));
    same('three hundred and sixty-five days', '365 days');
    same('a hundred people', '100 people');
    same('two hundred thousand', '200,000');
    // A year is said in pairs; a four-digit number said in full comes to the same.
    same('born in 1998', 'born in nineteen ninety-eight');
    same('born in 1998', 'born in one thousand nine hundred and ninety eight');
    same('in 2024', 'in twenty twenty-four');
  });

  it('keeps numbers said one after another apart rather than adding them up', () => {
    expect(normaliseWords('seven thirty')).toEqual(['7', '30']);
    expect(normaliseWords('ten fifteen')).toEqual(['10', '15']);
    expect(normaliseWords('one two three')).toEqual(['1', '2', '3']);
    expect(normaliseWords('twenty one')).toEqual(['21']);
  });

  it('reads times, ordinals, money and percentages as they are said', () => {
    same(
      'The train leaves at 7:30 and arrives at 10:15.',
      'The train leaves at seven thirty and arrives at ten fifteen.',
    );
    same('arrives at 10:15', 'arrives at 10.15');
    same("see you at 6 o'clock", 'see you at 6:00');
    same('see you at 6 o’clock', 'see you at six');
    same('at 2 pm', 'at 2 p.m.');
    same('at 2 pm', 'at 2pm');
    same('on Monday the 3rd of March', 'on Monday the third of March');
    same('the twenty-first century', 'the 21st century');
    same('It costs 45 dollars.', 'It costs $45.');
    same('It costs forty-five dollars.', 'It costs $45.');
    same('about 60 percent', 'about 60%');
    same('about sixty per cent', 'about 60%');
    same('1,500 people', 'fifteen hundred people');
  });

  it('spells out contractions the same way whichever side has them', () => {
    same("Don't worry; that's how we learn.", 'Do not worry, that is how we learn.');
    same("She doesn't like coffee", 'She does not like coffee');
    same("I can't, I won't, let's go", 'I cannot, I will not, let us go');
    same("I'd like you're we've they'll I'm", 'I would like you are we have they will I am');
    // The apostrophe goes in both spellings of a possessive; "her" and "hers" stay apart.
    same("Sarah's book", 'Sarahs book');
    expect(normaliseWords('her book')).not.toEqual(normaliseWords('hers book'));
  });

  it('splits hyphenated words and reads British and American spellings as one', () => {
    same('a well-known twenty-five-year-old', 'a well known twenty five year old');
    same('My favourite colour is grey.', 'My favorite color is gray.');
    same("Let's practise; I practised.", "Let's practice; I practiced.");
    same(
      'I realised in the city centre, 12 kilometres away, at the theatre',
      'I realized in the city center, 12 kilometers away, at the theater',
    );
    same('She travelled and cancelled the programme', 'She traveled and canceled the program');
    same('okay, alright', 'OK, all right');
  });

  it('still tells different words apart', () => {
    expect(normaliseWords('I went there')).not.toEqual(normaliseWords('I want there'));
    expect(normaliseWords('hour')).toEqual(['hour']);
    expect(normaliseWords('four our your tour')).toEqual(['4', 'our', 'your', 'tour']);
    expect(normaliseWords('7 30')).not.toEqual(normaliseWords('730'));
  });
});

describe('wordErrors', () => {
  it('counts substitutions, deletions and insertions against the reference', () => {
    const result = wordErrors('The train leaves at 7:30.', 'The train leave at seven thirty in');
    expect(result).toMatchObject({ substitutions: 1, deletions: 0, insertions: 1, errors: 2, words: 6 });
    expect(result.rate).toBeCloseTo(2 / 6);
    expect(wordErrors('a b c d', 'a c d')).toMatchObject({ deletions: 1, errors: 1, rate: 0.25 });
    expect(wordErrors('Hello there.', 'hello, there!')).toMatchObject({ errors: 0, rate: 0 });
  });

  it('finds the fewest edits, not a word-by-word comparison', () => {
    // Aligned word by word this is 5 errors; one deleted word shifts everything after it.
    expect(wordErrors('I really like the way you described it', 'I like the way you described it').errors).toBe(1);
  });

  it('charges a wholly wrong transcript every word, and silence every word', () => {
    expect(wordErrors('See you next Thursday', '').rate).toBe(1);
    expect(wordErrors('See you', 'completely different words here').errors).toBe(4);
  });

  it('gives a whole-corpus rate weighted by sentence length', () => {
    const results = [
      wordErrors('one two three four five six seven eight nine ten', 'one two three four five six seven eight nine'),
      wordErrors('hi', 'bye'),
    ];
    // 2 errors over 11 words, not the mean of 10 % and 100 %.
    expect(corpusWer(results)).toBeCloseTo(2 / 11);
  });
});

describe('the teacher sentences', () => {
  it('are 30 distinct sentences with the cases the clarity test promises', () => {
    expect(TEACHER_SENTENCES).toHaveLength(30);
    expect(new Set(TEACHER_SENTENCES).size).toBe(30);
    const all = TEACHER_SENTENCES.join(' ');
    expect(TEACHER_SENTENCES.filter((s) => s.endsWith('?')).length).toBeGreaterThanOrEqual(5);
    expect(all).toMatch(/\d+:\d{2}/);
    expect(TEACHER_SENTENCES.filter((s) => /You said '.+'; .*'.+'/.test(s)).length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...TEACHER_SENTENCES.map((s) => normaliseWords(s).length))).toBeGreaterThanOrEqual(25);
  });
});
