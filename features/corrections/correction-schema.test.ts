import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  applyCorrections,
  CORRECTIONS_SCHEMA,
  grammarPointOf,
  locate,
  parseAnswer,
  validateAnswer,
  type Correction,
} from './correction-schema';

const SENTENCE = 'Yesterday I go to the library and buyed two book';
const item = (original: string, corrected: string, kind = 'grammar', grammar_point = 'past-simple') => ({
  original,
  corrected,
  explanation: 'Because.',
  kind,
  grammar_point,
});

describe('the corrections schema', () => {
  const ajv = new Ajv2020({ strict: true });
  const schemaAccepts = ajv.compile(CORRECTIONS_SCHEMA);

  it('is a valid strict JSON Schema: closed objects, every property required', () => {
    expect(CORRECTIONS_SCHEMA.additionalProperties).toBe(false);
    expect([...CORRECTIONS_SCHEMA.required].sort()).toEqual(Object.keys(CORRECTIONS_SCHEMA.properties).sort());
    const items = CORRECTIONS_SCHEMA.properties.corrections.items;
    expect(items.additionalProperties).toBe(false);
    expect([...items.required].sort()).toEqual(Object.keys(items.properties).sort());
  });

  // The hand validator (extension pages cannot run Ajv's generated code) must agree with Ajv.
  const samples: Array<[string, unknown]> = [
    ['a correct answer', { corrections: [item('I go', 'I went')], natural: 'x' }],
    ['no corrections', { corrections: [], natural: 'x' }],
    ['a missing natural', { corrections: [] }],
    ['corrections not an array', { corrections: 'none', natural: 'x' }],
    ['an unknown kind', { corrections: [item('I go', 'I went', 'tense')], natural: 'x' }],
    [
      'a missing explanation',
      {
        corrections: [{ original: 'I go', corrected: 'I went', kind: 'grammar', grammar_point: 'past-simple' }],
        natural: 'x',
      },
    ],
    ['a number for a string', { corrections: [{ ...item('I go', 'I went'), corrected: 3 }], natural: 'x' }],
    ['not an object', ['I went']],
  ];
  it.each(samples)('agrees with Ajv on %s', (_name, sample) => {
    expect(validateAnswer(sample, SENTENCE).ok).toBe(schemaAccepts(sample));
  });

  it('tags each correction with its grammar point; a missing or unknown point is other, not a failure', () => {
    const tagged = validateAnswer(
      { corrections: [item('buyed', 'bought', 'grammar', 'past-simple')], natural: 'x' },
      SENTENCE,
    );
    expect(tagged.ok && tagged.check.corrections[0]?.grammarPoint).toBe('past-simple');
    const { grammar_point: _left, ...untagged } = item('two book', 'two books');
    const unknown = item('I go', 'I went', 'grammar', 'tenses');
    const result = validateAnswer({ corrections: [untagged, unknown], natural: 'x' }, SENTENCE);
    expect(result.ok && result.check.corrections.map((c) => c.grammarPoint)).toEqual(['other', 'other']);
    // Strict json_schema servers can only answer from the list.
    expect(schemaAccepts({ corrections: [unknown], natural: 'x' })).toBe(false);
  });

  it('counts a correction kept before grammar points as other', () => {
    expect(grammarPointOf({})).toBe('other');
    expect(grammarPointOf({ grammarPoint: 'articles' })).toBe('articles');
  });

  it('says what is wrong, for the card and the logs', () => {
    expect(validateAnswer({ corrections: [item('I go', 'I went', 'tense')], natural: 'x' }, SENTENCE)).toEqual({
      ok: false,
      problem:
        'corrections[0].kind "tense" is not one of grammar, word_choice, word_order, naturalness, possibly_misheard',
    });
    expect(parseAnswer('Sorry, I cannot help.', SENTENCE)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not JSON/),
    });
  });

  it('drops no-op corrections and ones quoting words that are not in the sentence', () => {
    const result = validateAnswer(
      {
        corrections: [item('I go', 'I went'), item('book', 'book'), item('she go', 'she went'), item('', 'the')],
        natural: 'x',
      },
      SENTENCE,
    );
    expect(result.ok && result.check.corrections.map((c) => c.original)).toEqual(['I go']);
    expect(result.ok && result.check.dropped).toBe(3);
  });
});

describe('locating and applying corrections', () => {
  it('finds whole words, ignoring case and spacing', () => {
    expect(locate(SENTENCE, 'i  GO', 0)).toEqual({ start: 10, end: 14 });
    expect(locate('I have a good dog', 'go', 0)).toBeNull();
    expect(locate("it's fine", 's', 0)).toBeNull();
    expect(locate('He don’t like it', "he don't", 0)).toEqual({ start: 0, end: 8 });
  });

  it('applies several corrections left to right into the minimal corrected sentence', () => {
    const corrections: Correction[] = [
      { original: 'go', corrected: 'went', explanation: '', kind: 'grammar' },
      { original: 'buyed', corrected: 'bought', explanation: '', kind: 'grammar' },
      { original: 'two book', corrected: 'two books', explanation: '', kind: 'grammar' },
    ];
    expect(applyCorrections(SENTENCE, corrections)).toBe('Yesterday I went to the library and bought two books');
  });

  it('handles a deletion (an empty correction) without leaving double spaces', () => {
    expect(
      applyCorrections('I am agree with you', [
        { original: 'am agree', corrected: 'agree', explanation: '', kind: 'grammar' },
      ]),
    ).toBe('I agree with you');
    expect(
      applyCorrections('He very likes it', [{ original: 'very', corrected: '', explanation: '', kind: 'word_order' }]),
    ).toBe('He likes it');
  });
});
