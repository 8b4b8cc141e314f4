/**
 * Word error rate between what a voice was asked to say and what the recogniser heard, after both are brought to
 * one spelling, so a voice is charged only for words a listener would hear differently: "7:30" and "seven thirty",
 * "doesn't" and "does not", "colour" and "color", "$45" and "forty-five dollars" count as the same words.
 */

import { SMALL_NUMBER_VALUES, SMALL_NUMBER_WORDS, TENS_VALUES, TENS_WORDS } from '../../common/number-words.ts';

const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };
const ORDINALS: Record<string, string> = {
  first: 'one',
  second: 'two',
  third: 'three',
  fifth: 'five',
  eighth: 'eight',
  ninth: 'nine',
  twelfth: 'twelve',
};

/** Contractions spelled out the same way on both sides ("'d" and "'s" are ambiguous; both sides read them alike). */
const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/\blet's\b/g, 'let us'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'],
  [/'m\b/g, ' am'],
  [/\b(it|that|what|there|here|where|who|how|he|she|this|everything|nothing|something|someone)'s\b/g, '$1 is'],
  [/\bcannot\b/g, 'can not'],
];

/** British spellings and their American twins, by stem so that plurals and tenses follow. */
const BRITISH_STEMS: [RegExp, string][] = [
  [
    /^(colo|favo|hono|neighbo|behavio|flavo|labo|humo|harbo|rumo|endeavo|vigo|odo|savo|splendo|parlo)ur(s|ed|ing|ite|ites|ful|able|hood)?$/,
    '$1r$2',
  ],
  [/^(cent|theat|met|lit|fib|calib|somb|spect|meag)re(s|d)?$/, '$1er$2'],
  [
    /^(real|organ|recogn|apolog|critic|emphas|memor|special|summar|priorit|categor|final|visual|familiar|util|maxim|minim|optim|standard|author|civil|modern|sympath)is(e|es|ed|ing|ation|ations)$/,
    '$1iz$2',
  ],
  [/^(anal|paral|cataly)ys(e|es|ed|ing)$/, '$1yz$2'],
  [/^practis(e|es|ed|ing)$/, 'practic$1'],
  [/^(trave|cance|labe|mode|fue|leve|counse|marve|quarre|dia|signa|tota|jewe)ll(ed|ing|er|ers|ous)$/, '$1l$2'],
  [/^(defen|offen|licen|preten)ce(s)?$/, '$1se$2'],
  [/^(catalog|dialog|analog|monolog|prolog)ue(s)?$/, '$1$2'],
  [/^programme(s)?$/, 'program$1'],
  [/^grey(s|ish)?$/, 'gray$1'],
  [/^tyre(s)?$/, 'tire$1'],
  [/^cheque(s)?$/, 'check$1'],
  [/^jewellery$/, 'jewelry'],
  [/^aluminium$/, 'aluminum'],
  [/^(enrol|fulfil|instal)(ment|ments|s)?$/, '$1l$2'],
  [/^skilful(ly)?$/, 'skillful$1'],
  [/^ageing$/, 'aging'],
  [/^judgement(s)?$/, 'judgment$1'],
  [/^kilometre(s)?$/, 'kilometer$1'],
  [/^okay$/, 'ok'],
  [/^alright$/, 'all right'],
  [/^mister$/, 'mr'],
  [/^missus$/, 'mrs'],
  [/^doctor$/, 'dr'],
];

/** Writes a whole number as it is said: 365 → "three hundred sixty five" (no "and": that is dropped on both sides). */
export function numberToWords(value: number): string {
  if (value < 20) return SMALL_NUMBER_WORDS[value]!;
  if (value < 100)
    return TENS_WORDS[Math.floor(value / 10)]! + (value % 10 ? ` ${SMALL_NUMBER_WORDS[value % 10]}` : '');
  if (value < 1000)
    return `${SMALL_NUMBER_WORDS[Math.floor(value / 100)]} hundred${value % 100 ? ` ${numberToWords(value % 100)}` : ''}`;
  if (value < 1_000_000)
    return `${numberToWords(Math.floor(value / 1000))} thousand${value % 1000 ? ` ${numberToWords(value % 1000)}` : ''}`;
  return `${numberToWords(Math.floor(value / 1_000_000))} million${value % 1_000_000 ? ` ${numberToWords(value % 1_000_000)}` : ''}`;
}

/**
 * Runs of number words → digits: "three hundred and sixty five" → 365, "twenty four" → 24. A run ends where a number
 * could not go on ("seven thirty" is 7 then 30, as a time is said), so times and years keep their parts.
 */
function wordsToDigits(words: string[]): string[] {
  const out: string[] = [];
  let total = 0;
  let current = 0;
  /** What the last word was, to tell whether the next one continues the number. */
  let last: 'none' | 'unit' | 'teen' | 'tens' | 'tens-unit' | 'scale' = 'none';
  let lastScale = 0;
  const flush = (): void => {
    if (last !== 'none') out.push(String(total + current));
    total = 0;
    current = 0;
    last = 'none';
    lastScale = 0;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const small = SMALL_NUMBER_VALUES.get(word);
    const tens = TENS_VALUES.get(word);
    const scale = SCALES[word];
    if (small !== undefined) {
      const isUnit = small < 10;
      // A unit may follow a tens word or a scale; a teen only a scale. Anything else starts a new number.
      const continues = last === 'scale' || (isUnit && last === 'tens');
      if (!continues) flush();
      current += small;
      last = isUnit ? (last === 'tens' ? 'tens-unit' : 'unit') : 'teen';
    } else if (tens !== undefined) {
      if (last !== 'scale') flush();
      current += tens;
      last = 'tens';
    } else if (scale !== undefined && (last !== 'none' || words[i - 1] === 'a')) {
      if (last === 'none') {
        // "a hundred": the "a" was already written out; take it back as the number 1.
        out.pop();
        current = 1;
      }
      // "two thousand thousand" or "hundred hundred" is not a number anyone says; keep the word apart, not guess.
      if (scale === lastScale || (scale > 100 && scale > lastScale && lastScale > 100)) {
        flush();
        out.push(word);
        continue;
      }
      if (scale === 100) {
        current *= 100;
      } else {
        total += current * scale;
        current = 0;
      }
      last = 'scale';
      lastScale = scale;
    } else if (word === 'and' && last === 'scale' && words[i + 1] && isNumberWord(words[i + 1]!)) {
      // "one hundred and five": the "and" belongs to the number.
    } else {
      flush();
      out.push(word);
    }
  }
  flush();
  return out;
}

function isNumberWord(word: string): boolean {
  return SMALL_NUMBER_VALUES.has(word) || TENS_VALUES.has(word);
}

/** Four-digit numbers are said in pairs as years ("nineteen ninety eight"), so both sides keep them as two pairs. */
function splitYears(words: string[]): string[] {
  return words.flatMap((word) => {
    if (!/^\d{4}$/.test(word)) return [word];
    const value = Number(word);
    if (value < 1100 || value % 1000 < 10) return [word];
    return [String(Math.floor(value / 100)), String(value % 100)];
  });
}

/** "21st" → 21, "third" → 3, "twenty-first" → 21: the ordinal's suffix is dropped on both sides. */
function ordinalToCardinal(word: string): string[] {
  const digits = /^(\d+)(st|nd|rd|th)$/.exec(word);
  if (digits) return [digits[1]!];
  for (const [ordinal, cardinal] of Object.entries(ORDINALS)) if (word === ordinal) return [cardinal];
  const regular = /^(.+?)(ieth|th)$/.exec(word);
  if (regular) {
    const stem = regular[2] === 'ieth' ? `${regular[1]}y` : regular[1]!;
    if (SMALL_NUMBER_VALUES.has(stem) || TENS_VALUES.has(stem) || stem in SCALES) return [stem];
  }
  return [word];
}

/**
 * The words of `text` in one spelling: lower case, no punctuation, numbers as digits, contractions spelled out,
 * hyphenated words apart, American spelling, "o'clock" and "and" inside numbers dropped, "%" and currency symbols
 * as words after their number.
 */
export function normaliseWords(text: string): string[] {
  let s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[\u2010-\u2015]/g, '-');
  // Symbols that are said as words, placed where they are said.
  s = s
    .replace(/([$£€])\s?(\d[\d,]*(?:\.\d+)?)/g, (_, symbol: string, amount: string) => {
      const unit = symbol === '$' ? 'dollars' : symbol === '£' ? 'pounds' : 'euros';
      const [whole, cents] = amount.replace(/,/g, '').split('.');
      return ` ${whole} ${unit}${cents ? ` ${Number(cents)}` : ''} `;
    })
    .replace(/(\d)\s?%/g, '$1 percent')
    .replace(/\bper cent\b/g, 'percent')
    .replace(/&/g, ' and ')
    .replace(/\b([ap])\.\s?m\b\.?/g, '$1m')
    .replace(/\b(mr|mrs|ms|dr)\./g, '$1');
  // Times: "7:30" (or "7.30", as the recogniser writes a time it hears said the British way) is said "seven thirty",
  // "6:00" "six" (o'clock is dropped on both sides), "10:05" "ten oh five".
  s = s.replace(/\b(\d{1,2})[:.]([0-5]\d)\b(?!\.\d)/g, (_, hours: string, minutes: string) =>
    minutes === '00'
      ? ` ${Number(hours)} `
      : ` ${Number(hours)} ${minutes.startsWith('0') ? 'oh ' : ''}${Number(minutes)} `,
  );
  s = s.replace(/\bo'?clock\b/g, ' ');
  // Thousands separators and decimals: "1,500" → 1500, "2.5" → "2 point 5".
  s = s.replace(/(\d),(?=\d{3}\b)/g, '$1').replace(/(\d)\.(\d)/g, '$1 point $2');
  for (const [pattern, replacement] of CONTRACTIONS) s = s.replace(pattern, replacement);
  const words = s
    // Hyphens and slashes join words that are said apart; every other mark is silent.
    .replace(/[-/]/g, ' ')
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .map((word) => word.replace(/^'+|'+$/g, '').replace(/'/g, ''))
    .filter((word) => word.length > 0)
    .flatMap(ordinalToCardinal)
    .flatMap((word) => {
      for (const [pattern, replacement] of BRITISH_STEMS)
        if (pattern.test(word)) return word.replace(pattern, replacement).split(' ');
      return [word];
    })
    // "2 pm" and "2pm" are the same words.
    .flatMap((word) => (/^\d+(am|pm)$/.test(word) ? [word.slice(0, -2), word.slice(-2)] : [word]));
  return splitYears(wordsToDigits(words));
}

export interface WordErrors {
  /** Substitutions + deletions + insertions against the reference. */
  errors: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Words in the normalised reference. */
  words: number;
  /** errors / words (0 when both are empty; 1 per inserted word when only the reference is empty). */
  rate: number;
  reference: string[];
  hypothesis: string[];
}

/** Word errors of `hypothesis` against `reference`, both normalised by normaliseWords (minimum edit distance). */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normaliseWords(reference);
  const hyp = normaliseWords(hypothesis);
  // cost[i][j]: edits turning ref[0..i) into hyp[0..j); ties prefer substitutions, as the usual WER tools do.
  type Cell = { cost: number; s: number; d: number; n: number };
  let previous: Cell[] = Array.from({ length: hyp.length + 1 }, (_, j) => ({ cost: j, s: 0, d: 0, n: j }));
  for (let i = 1; i <= ref.length; i++) {
    const row: Cell[] = [{ cost: i, s: 0, d: i, n: 0 }];
    for (let j = 1; j <= hyp.length; j++) {
      const diagonal = previous[j - 1]!;
      const same = ref[i - 1] === hyp[j - 1];
      const options: Cell[] = [
        { ...diagonal, cost: diagonal.cost + (same ? 0 : 1), s: diagonal.s + (same ? 0 : 1) },
        { ...previous[j]!, cost: previous[j]!.cost + 1, d: previous[j]!.d + 1 },
        { ...row[j - 1]!, cost: row[j - 1]!.cost + 1, n: row[j - 1]!.n + 1 },
      ];
      row.push(options.reduce((best, option) => (option.cost < best.cost ? option : best)));
    }
    previous = row;
  }
  const end = previous[hyp.length]!;
  return {
    errors: end.cost,
    substitutions: end.s,
    deletions: end.d,
    insertions: end.n,
    words: ref.length,
    rate: ref.length ? end.cost / ref.length : hyp.length,
    reference: ref,
    hypothesis: hyp,
  };
}

/** The word error rate of many sentences together: all errors over all reference words (not a mean of rates). */
export function corpusWer(results: readonly Pick<WordErrors, 'errors' | 'words'>[]): number {
  const words = results.reduce((sum, result) => sum + result.words, 0);
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  return words ? errors / words : 0;
}
