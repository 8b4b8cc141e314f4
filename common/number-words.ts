/**
 * English number words below a hundred: what features/corrections/word-diff.ts reads as digits in a learner's attempt
 * and script/voices/wer.ts brings to one spelling on both sides of a word error rate. Each list holds a word at its
 * value: SMALL_NUMBER_WORDS[7] is "seven", TENS_WORDS[4] is "forty".
 */

export const SMALL_NUMBER_WORDS: readonly string[] = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];

export const TENS_WORDS: readonly string[] = [
  '',
  '',
  'twenty',
  'thirty',
  'forty',
  'fifty',
  'sixty',
  'seventy',
  'eighty',
  'ninety',
];

/** "zero" to "nineteen", to their values. */
export const SMALL_NUMBER_VALUES: ReadonlyMap<string, number> = new Map(
  SMALL_NUMBER_WORDS.map((word, value) => [word, value]),
);

/** "twenty" to "ninety", to their values. */
export const TENS_VALUES: ReadonlyMap<string, number> = new Map(
  TENS_WORDS.flatMap((word, index) => (word ? [[word, index * 10] as const] : [])),
);
