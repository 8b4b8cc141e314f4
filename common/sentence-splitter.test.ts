import { describe, expect, it } from 'vitest';
import { MAX_SENTENCE_WORDS, SentenceStream, endsMidSentence, splitSentences } from './sentence-splitter';

/** A reply of the kind the teacher gives, with every hard case in it. */
const TEACHER_REPLY = [
  'Great job! You said "I goed to the park," but we say "I went to the park."',
  'Mr. Li and Dr. Brown both teach at 8 a.m. on Mondays.',
  'It costs $2.50, or about 3.5 yuan… not 1,000 dollars!',
  '"Really?" she asked. He said "Hi." Then he left.',
  'Some common verbs:\n- go, went, gone\n- eat, ate, eaten\n\n1. Read them aloud.\n2. Use each one, e.g. "I ate rice."',
  '你说得很好。我们继续吧！',
  'Well... I think so. Can you try again?',
].join(' ');

/** Deterministic so that a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function streamInChunks(text: string, chunkSize: () => number): string[] {
  const stream = new SentenceStream();
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = Math.max(1, chunkSize());
    out.push(...stream.push(text.slice(i, i + size)));
    i += size;
  }
  return [...out, ...stream.flush()];
}

const withoutSpace = (s: string): string => s.replace(/\s+/gu, '');

describe('splitSentences', () => {
  it('splits at full stops, question marks and exclamation marks', () => {
    expect(splitSentences('Hello there. How are you? I am fine!')).toEqual([
      'Hello there.',
      'How are you?',
      'I am fine!',
    ]);
  });

  it('does not end a sentence at titles and Latin abbreviations', () => {
    expect(
      splitSentences('Mr. Smith and Mrs. Green met Dr. Jones. They talked, e.g. about food, i.e. noodles.'),
    ).toEqual(['Mr. Smith and Mrs. Green met Dr. Jones.', 'They talked, e.g. about food, i.e. noodles.']);
    expect(splitSentences('Apples vs. oranges is a classic. Fine.')).toEqual([
      'Apples vs. oranges is a classic.',
      'Fine.',
    ]);
  });

  it('lets the next word decide after abbreviations that can also end a sentence', () => {
    expect(splitSentences('We start at 9 a.m. tomorrow. Bring pens, paper, etc. and a book.')).toEqual([
      'We start at 9 a.m. tomorrow.',
      'Bring pens, paper, etc. and a book.',
    ]);
    expect(splitSentences('We start at 9 a.m. Bring pens, paper, etc. Then we go.')).toEqual([
      'We start at 9 a.m.',
      'Bring pens, paper, etc.',
      'Then we go.',
    ]);
    expect(splitSentences('She lives in the U.S. and works there. He moved to the U.S. Now he is happy.')).toEqual([
      'She lives in the U.S. and works there.',
      'He moved to the U.S.',
      'Now he is happy.',
    ]);
  });

  it('keeps decimals, prices and thousands inside the sentence', () => {
    expect(splitSentences('It costs $2.50 today. The trip took 3.5 hours. We paid 1,000 yuan.')).toEqual([
      'It costs $2.50 today.',
      'The trip took 3.5 hours.',
      'We paid 1,000 yuan.',
    ]);
  });

  it('treats an ellipsis before a lowercase word as a pause, before a capital as an end', () => {
    expect(splitSentences('I was thinking... maybe later. Well… I am not sure.')).toEqual([
      'I was thinking... maybe later.',
      'Well…',
      'I am not sure.',
    ]);
  });

  it('keeps closing quotes and brackets with their sentence and reads on after a quoted question', () => {
    expect(splitSentences('"Really?" she asked. He said "Hi." Then he left.')).toEqual([
      '"Really?" she asked.',
      'He said "Hi."',
      'Then he left.',
    ]);
    expect(splitSentences('Say it again (slowly!). Good.')).toEqual(['Say it again (slowly!).', 'Good.']);
  });

  it('ends a sentence at a line break, so list items are spoken one by one', () => {
    expect(splitSentences('Try these words:\n- apple\n- banana\n\n1. Read them.\n2. Spell them.')).toEqual([
      'Try these words:',
      '- apple',
      '- banana',
      '1. Read them.',
      '2. Spell them.',
    ]);
  });

  it('splits Chinese at full-width punctuation even without spaces', () => {
    expect(splitSentences('你说得很好。我们继续吧！你明白吗？明白')).toEqual([
      '你说得很好。',
      '我们继续吧！',
      '你明白吗？',
      '明白',
    ]);
    expect(splitSentences('“好。”他说。Good.')).toEqual(['“好。”', '他说。', 'Good.']);
  });

  it('cuts a long stretch without punctuation at the last comma before about 25 words', () => {
    const text =
      'When you practise speaking every day for a few minutes, you slowly become more confident and you stop translating every single word from Chinese in your head before you talk';
    const sentences = splitSentences(text);
    expect(sentences[0]).toBe('When you practise speaking every day for a few minutes,');
    expect(sentences.length).toBe(2);
    for (const s of sentences) expect(s.split(/\s+/u).length).toBeLessThanOrEqual(MAX_SENTENCE_WORDS);
  });

  it('cuts a long stretch before a conjunction when there is no comma', () => {
    const text =
      'I think you should keep practising your English with me every morning because talking a little every day is much better than talking a lot once a week';
    expect(splitSentences(text)).toEqual([
      'I think you should keep practising your English with me every morning',
      'because talking a little every day is much better than talking a lot once a week',
    ]);
  });

  it('cuts after about 25 words when there is no clause boundary at all', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const sentences = splitSentences(words.join(' '));
    expect(sentences.map((s) => s.split(' ').length)).toEqual([25, 25, 10]);
  });

  it('returns no empty or untrimmed sentences and keeps every character of the text', () => {
    const sentences = splitSentences(`  \n\n${TEACHER_REPLY}  \n `);
    for (const s of sentences) {
      expect(s.trim()).toBe(s);
      expect(s).not.toBe('');
    }
    expect(withoutSpace(sentences.join(' '))).toBe(withoutSpace(TEACHER_REPLY));
    expect(splitSentences('   \n  ')).toEqual([]);
  });

  it('splits the sample teacher reply where a listener would hear the sentences end', () => {
    expect(splitSentences(TEACHER_REPLY)).toEqual([
      'Great job!',
      'You said "I goed to the park," but we say "I went to the park."',
      'Mr. Li and Dr. Brown both teach at 8 a.m. on Mondays.',
      'It costs $2.50, or about 3.5 yuan… not 1,000 dollars!',
      '"Really?" she asked.',
      'He said "Hi."',
      'Then he left.',
      'Some common verbs:',
      '- go, went, gone',
      '- eat, ate, eaten',
      '1. Read them aloud.',
      '2. Use each one, e.g. "I ate rice."',
      '你说得很好。',
      '我们继续吧！',
      'Well...',
      'I think so.',
      'Can you try again?',
    ]);
  });
});

describe('SentenceStream', () => {
  it('gives the same sentences fed one character at a time as splitSentences on the whole text', () => {
    expect(streamInChunks(TEACHER_REPLY, () => 1)).toEqual(splitSentences(TEACHER_REPLY));
  });

  it('gives the same sentences fed in random chunk sizes', () => {
    const long = `${TEACHER_REPLY} ${Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')} The end.`;
    const expected = splitSentences(long);
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      expect(
        streamInChunks(long, () => Math.floor(random() * 12) + 1),
        `seed ${seed}`,
      ).toEqual(expected);
    }
  });

  it('emits a sentence on the token that completes it, not at the end of the reply', () => {
    const stream = new SentenceStream();
    const tokens = ['Hello', ' there', '.', ' How', ' are', ' you', '?', ' I', "'m", ' fine'];
    const emitted = tokens.map((token) => stream.push(token));
    // " How" proves the full stop was an ending; the space after "?" is enough for a question.
    expect(emitted).toEqual([[], [], [], ['Hello there.'], [], [], [], ['How are you?'], [], []]);
    expect(stream.flush()).toEqual(["I'm fine"]);
  });

  it('releases a question as soon as a space follows it', () => {
    const stream = new SentenceStream();
    expect(stream.push('Are you ready?')).toEqual([]);
    expect(stream.push(' ')).toEqual(['Are you ready?']);
  });

  it('holds a full stop until the next character shows whether it was a decimal point', () => {
    const stream = new SentenceStream();
    expect(stream.push('It costs 3.')).toEqual([]);
    expect(stream.push('5 yuan. ')).toEqual(['It costs 3.5 yuan.']);
  });

  it('holds "Mr." back but releases an ordinary sentence at the space after its full stop', () => {
    const stream = new SentenceStream();
    expect(stream.push('Ask Mr. ')).toEqual([]);
    expect(stream.push('Wang. ')).toEqual(['Ask Mr. Wang.']);
  });

  it('emits several sentences completed by one chunk, and nothing twice', () => {
    const stream = new SentenceStream();
    expect(stream.push('One. Two! Three? Fo')).toEqual(['One.', 'Two!', 'Three?']);
    expect(stream.push('ur.')).toEqual([]);
    expect(stream.flush()).toEqual(['Four.']);
    expect(stream.flush()).toEqual([]);
  });

  it('emits a Chinese sentence when the next character arrives', () => {
    const stream = new SentenceStream();
    expect(stream.push('很好。')).toEqual([]);
    expect(stream.push('再')).toEqual(['很好。']);
  });

  it('emits a long run-on stretch mid-stream once it passes about 25 words', () => {
    const stream = new SentenceStream();
    const emitted: string[] = [];
    for (let i = 0; i < 30; i++) emitted.push(...stream.push(`word${i} `));
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.split(' ')).toHaveLength(MAX_SENTENCE_WORDS);
  });
});

/** A reply that opens with a long sentence, the case where the learner would wait longest. */
const LONG_OPENING =
  'That is a really good start to your story about the weekend, and I can understand everything you said about the park. Next time, add one more detail.';

describe("the reply's first clause", () => {
  it('is released on its own when the first sentence is long, and later sentences are not cut', () => {
    expect(splitSentences(LONG_OPENING)).toEqual([
      'That is a really good start to your story about the weekend,',
      'and I can understand everything you said about the park.',
      'Next time, add one more detail.',
    ]);
  });

  it('ends at a colon, a semicolon or a dash as well as a comma', () => {
    expect(splitSentences('Here is a better way to say it: I went to the park with my friend.')).toEqual([
      'Here is a better way to say it:',
      'I went to the park with my friend.',
    ]);
    expect(splitSentences('You used the past tense well; only one verb needs to change.')).toEqual([
      'You used the past tense well;',
      'only one verb needs to change.',
    ]);
    expect(splitSentences('Your sentence is almost perfect — just change one small word.')).toEqual([
      'Your sentence is almost perfect —',
      'just change one small word.',
    ]);
    expect(splitSentences('Your sentence is almost perfect—just change one small word.')).toEqual([
      'Your sentence is almost perfect—',
      'just change one small word.',
    ]);
  });

  it('needs four words before the break and three after it in the same sentence', () => {
    expect(splitSentences('Yes, that is exactly what I wanted to hear from you today.')).toEqual([
      'Yes, that is exactly what I wanted to hear from you today.',
    ]);
    expect(splitSentences('I see what you mean, Tom. Tell me more.')).toEqual([
      'I see what you mean, Tom.',
      'Tell me more.',
    ]);
    expect(splitSentences('I see what you mean, Tom and Anna.')).toEqual(['I see what you mean,', 'Tom and Anna.']);
  });

  it('does not break numbers, times or "e.g.,"', () => {
    expect(splitSentences('We sold 1,000 books at 3:30 yesterday and everybody was very happy about it.')).toEqual([
      'We sold 1,000 books at 3:30 yesterday and everybody was very happy about it.',
    ]);
    expect(splitSentences('Try some linking words e.g., because or although, in your next answer.')).toEqual([
      'Try some linking words e.g., because or although,',
      'in your next answer.',
    ]);
    expect(splitSentences('The years 1990–2000 were good for my home town and for my family.')).toEqual([
      'The years 1990–2000 were good for my home town and for my family.',
    ]);
  });

  it('does not break a quotation or a bracket', () => {
    expect(splitSentences('You said "I goed to the park, and it was fun" but we say went instead of goed.')).toEqual([
      'You said "I goed to the park, and it was fun" but we say went instead of goed.',
    ]);
    expect(splitSentences('You said “I goed to the park, and it was fun” but we say went instead.')).toEqual([
      'You said “I goed to the park, and it was fun” but we say went instead.',
    ]);
    expect(splitSentences('You said “I goed to the park.” and that was nearly right, so well done.')).toEqual([
      'You said “I goed to the park.” and that was nearly right,',
      'so well done.',
    ]);
    expect(splitSentences('Your answer (the one about parks, trees and lakes) was very good indeed.')).toEqual([
      'Your answer (the one about parks, trees and lakes) was very good indeed.',
    ]);
  });

  it('applies only to the first sentence of the reply', () => {
    expect(splitSentences('Good. I like your story very much, and I want to hear more about it.')).toEqual([
      'Good.',
      'I like your story very much, and I want to hear more about it.',
    ]);
  });

  it('can start on a shorter opening clause, for a voice that is slow to start each piece', () => {
    const reply = 'You said: “Yesterday I go to the park with my friend.” A better way is: “I went.”';
    expect(splitSentences(reply)[0]).toBe('You said: “Yesterday I go to the park with my friend.”');
    expect(splitSentences(reply, { firstClauseMinWords: 2 }).slice(0, 2)).toEqual([
      'You said:',
      '“Yesterday I go to the park with my friend.”',
    ]);
    // Still never a one-word stub, nor a clause whose rest is under three words.
    expect(splitSentences('Well, that is it.', { firstClauseMinWords: 2 })).toEqual(['Well, that is it.']);
    expect(splitSentences('I see, Tom.', { firstClauseMinWords: 2 })).toEqual(['I see, Tom.']);
  });

  it('can be switched off', () => {
    expect(splitSentences(LONG_OPENING, { firstClause: false })[0]).toBe(
      'That is a really good start to your story about the weekend, and I can understand everything you said about the park.',
    );
  });

  it('is emitted mid-stream, three words into the rest, long before the sentence ends', () => {
    const stream = new SentenceStream();
    const tokens = ['That', ' is', ' a', ' good', ' start', ',', ' and', ' I', ' can', ' understand', ' you', '.'];
    const emitted = tokens.map((token) => stream.push(token));
    expect(emitted.slice(0, 8).flat()).toEqual([]);
    expect(emitted[8]).toEqual(['That is a good start,']);
    expect(emitted.slice(9).flat()).toEqual([]);
    expect(stream.flush()).toEqual(['and I can understand you.']);
  });

  it('gives the same sentences streamed in any chunk sizes as on the whole text', () => {
    const texts = [
      LONG_OPENING,
      `You said “I goed to the park.” and that was nearly right, so well done. ${TEACHER_REPLY}`,
      'We sold 1,000 books at 3:30 yesterday, e.g., novels, and everybody was happy — really happy.',
    ];
    for (const text of texts) {
      const expected = splitSentences(text);
      expect(streamInChunks(text, () => 1)).toEqual(expected);
      for (let seed = 1; seed <= 30; seed++) {
        const random = seededRandom(seed);
        expect(
          streamInChunks(text, () => Math.floor(random() * 8) + 1),
          `seed ${seed}`,
        ).toEqual(expected);
      }
    }
  });
});

describe('endsMidSentence', () => {
  it('tells a clause cut off its sentence from a whole sentence', () => {
    for (const text of ['That is a good start,', 'Here it is:', 'Almost perfect —', 'You said "go,"', '你说得很好，'])
      expect(endsMidSentence(text), text).toBe(true);
    for (const text of ['That is good.', 'Really?', 'He said "Hi."', 'Well...', 'well-known'])
      expect(endsMidSentence(text), text).toBe(false);
  });
});
