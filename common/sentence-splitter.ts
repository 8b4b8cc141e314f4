/**
 * Splits the teacher's reply into sentences for speech synthesis.
 *
 * The same scanner serves whole texts (`splitSentences`) and the streamed chat reply
 * (`SentenceStream`): it decides a boundary only from characters it has already seen, and when a
 * decision needs the next character it waits for it instead of guessing. That makes the streamed
 * result identical to the whole-text result however the reply is chunked, while each sentence is
 * released on the token that settles it — the first one can go to synthesis before the reply ends.
 *
 * The reply's first sentence gets one more cut: when it is long, its first clause is released on
 * its own, so the learner hears the teacher start after a few words instead of a whole sentence.
 */

/** A sentence longer than this (in words) is cut, so synthesis of a run-on reply can start. */
export const MAX_SENTENCE_WORDS = 25;
/** A clause cut leaves at least this many words in front of it, so no stub gets synthesised alone. */
const MIN_CLAUSE_WORDS = 5;
/** The reply's opening clause is spoken alone only when it has at least this many words… */
export const FIRST_CLAUSE_MIN_WORDS = 4;
/**
 * …and the sentence goes on for at least this many words after it. "I see what you mean, Tom."
 * stays whole: a two-word tail spoken alone sounds like an afterthought, and waiting for the third
 * word costs under 100 ms of streaming.
 */
export const FIRST_CLAUSE_MIN_REST_WORDS = 3;
/**
 * The teacher's reply may go to the voice after an opening clause as short as "You said:" (its corrections open
 * so): a neural voice needs ~20 ms a word before its first sound, so "You said: “…”" whole started 130–240 ms after
 * eSpeak's (npm run bench). The player leaves a comma's pause after a piece that ends mid-sentence.
 */
export const REPLY_OPENING_CLAUSE_MIN_WORDS = 2;

/** Titles and Latin abbreviations: "Mr. Smith", "e.g. this" — they never end a sentence. */
const NEVER_FINAL = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'rev',
  'gen',
  'capt',
  'lt',
  'col',
  'sgt',
  'gov',
  'sen',
  'rep',
  'hon',
  'mt',
  'vs',
  'e.g',
  'i.e',
  'cf',
  'viz',
  'approx',
  'fig',
]);
/**
 * Abbreviations that may also end a sentence ("We met at 7 a.m. Then…" vs "at 7 a.m. tomorrow"):
 * the next word decides. Words with an inner dot (U.S, Ph.D) and single letters are treated alike.
 */
const MAYBE_FINAL = new Set([
  'etc',
  'jr',
  'sr',
  'st',
  'ave',
  'inc',
  'ltd',
  'co',
  'corp',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'min',
  'max',
  'no',
]);
const CLAUSE_WORDS = new Set([
  'and',
  'but',
  'or',
  'so',
  'because',
  'although',
  'though',
  'while',
  'whereas',
  'which',
  'when',
  'where',
  'if',
  'unless',
  'until',
  'since',
  'then',
]);

const TERMINATORS = '.!?…';
const CJK_TERMINATORS = '。！？';
/** What may follow a terminator and still belong to the sentence: quotes, brackets, markdown emphasis. */
const CLOSERS = `"'”’)]}»」』）】》*_`;
/** Opening marks stripped before looking at the word in front of a period. */
const OPENERS = `"'“‘([{«「『（【《*_`;
const CLAUSE_PUNCTUATION = ',;:—–，；：、';

/**
 * The pause a speaker leaves at a comma, colon or dash. The voice synthesises each piece without
 * the quiet around it, so a clause sent alone would run straight into the rest of its sentence;
 * eSpeak NG pauses 140–270 ms there inside a whole sentence (npm run check:first-clause).
 */
export const CLAUSE_PAUSE_MS = 200;

/** Whether a piece of text stops at a clause break rather than at the end of a sentence. */
export function endsMidSentence(text: string): boolean {
  return /[,;:—–\-，；：、]["'”’)\]]*$/u.test(text.trim());
}

const isSpace = (c: string): boolean => /\s/u.test(c);
const isCjk = (c: string): boolean =>
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(c);
const isWordChar = (c: string): boolean => /[\p{L}\p{N}]/u.test(c);
const isLower = (c: string): boolean => /\p{Ll}/u.test(c);
const isDigit = (c: string): boolean => /\p{N}/u.test(c);
/** Quotes and brackets whose inside is never cut: a clause break there belongs to the quotation. */
const NEST_OPEN = '“(［[{«「『（【《';
const NEST_CLOSE = '”)］]}»」』）】》';

/** A word begins at a letter or digit that does not continue the previous one ("don't", "3,000", "e.g" are one word). */
function isWordStart(prev: string, c: string): boolean {
  if (!isWordChar(c)) return false;
  if (isCjk(c)) return true;
  return prev === '' || !(isWordChar(prev) || "'’.,-".includes(prev));
}

type Scan =
  | { kind: 'boundary'; end: number; next: number }
  // Nothing decided before the end of the buffer; more text (or the end of the stream) settles it.
  | { kind: 'pending' };

/** How a terminator followed by whitespace is judged. */
type Verdict = 'end' | 'continue' | 'next-word-decides';

function judgePeriod(text: string, start: number, runStart: number): Verdict {
  let wordStart = runStart;
  while (wordStart > start && !isSpace(text.charAt(wordStart - 1))) wordStart--;
  let word = text.slice(wordStart, runStart);
  while (word !== '' && OPENERS.includes(word.charAt(0))) word = word.slice(1);
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) return 'continue';
  // A number alone at the start of a sentence is a list marker: "1. Say it slowly."
  if (/^\d+$/u.test(word) && text.slice(start, wordStart).trim() === '') return 'continue';
  if (MAYBE_FINAL.has(lower) || lower.includes('.') || /^\p{L}$/u.test(word)) return 'next-word-decides';
  return 'end';
}

/** Where to cut a sentence that reached MAX_SENTENCE_WORDS at `cutAt`: the last clause break, else right there. */
function clauseCut(text: string, start: number, cutAt: number): number {
  let words = 0;
  let lastPunctuation = -1;
  let lastConjunction = -1;
  for (let i = start; i < cutAt; i++) {
    const c = text.charAt(i);
    if (isWordStart(i === start ? '' : text.charAt(i - 1), c)) {
      if (words >= MIN_CLAUSE_WORDS) {
        const word = /^[\p{L}']+/u.exec(text.slice(i, cutAt))?.[0].toLowerCase() ?? '';
        if (CLAUSE_WORDS.has(word)) lastConjunction = i;
      }
      words++;
    }
    const standaloneDash = c === '-' && isSpace(text.charAt(i - 1)) && isSpace(text.charAt(i + 1));
    const punctuation = CLAUSE_PUNCTUATION.includes(c) || standaloneDash;
    // "1,000" is a number, not a clause break.
    const inNumber = c === ',' && /\d/u.test(text.charAt(i + 1));
    if (punctuation && !inNumber && words >= MIN_CLAUSE_WORDS) lastPunctuation = i + 1;
  }
  if (lastPunctuation > start) return lastPunctuation;
  if (lastConjunction > start) return lastConjunction;
  return cutAt;
}

/**
 * Whether the character at `i` closes a clause a voice can pause after: a comma, colon or
 * semicolon followed by a space, or a dash. Digits around it ("1,000", "3:30"), an abbreviation in
 * front of it ("e.g.,") or a word glued to it ("well-known") make it part of the sentence instead.
 */
function closesClause(text: string, start: number, i: number): boolean {
  const c = text.charAt(i);
  const next = text.charAt(i + 1);
  const prev = text.charAt(i - 1);
  if (c === '—' || c === '–') return !isDigit(prev) && next !== '' && !isDigit(next);
  if (c === '-') return isSpace(prev) && isSpace(next);
  if (!',;:，；：'.includes(c)) return false;
  if (',;:'.includes(c) && !isSpace(next)) return false;
  let wordStart = i;
  while (wordStart > start && !isSpace(text.charAt(wordStart - 1))) wordStart--;
  let word = text.slice(wordStart, i).toLowerCase();
  while (word !== '' && OPENERS.includes(word.charAt(0))) word = word.slice(1);
  return !(word.endsWith('.') || NEVER_FINAL.has(word));
}

/**
 * Finds the end of the sentence that starts at `start`. With `final`, the buffer's end ends the
 * text; with `firstClauseMinWords`, a long sentence ends after its first clause of at least that many words.
 */
function scan(text: string, start: number, final: boolean, firstClauseMinWords: number | null): Scan {
  const atEnd: Scan = final ? { kind: 'boundary', end: text.length, next: text.length } : { kind: 'pending' };
  let words = 0;
  let hasContent = false;
  // Inside quotes or brackets; a straight double quote opens and closes alternately.
  let nesting = 0;
  let straightQuoteOpen = false;
  const nest = (c: string): void => {
    if (c === '"') straightQuoteOpen = !straightQuoteOpen;
    else if (NEST_OPEN.includes(c)) nesting++;
    else if (NEST_CLOSE.includes(c)) nesting = Math.max(0, nesting - 1);
  };
  let clauseEnd = -1;
  let wordsBeforeClause = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\n') {
      // A line break ends a line of a list or a paragraph; chat models do not hard-wrap prose.
      if (hasContent) return { kind: 'boundary', end: i, next: i + 1 };
      continue;
    }
    if (isSpace(c)) continue;
    hasContent = true;

    if (isWordStart(i === start ? '' : text.charAt(i - 1), c)) {
      // The sentence has gone on past its first clause without ending: the clause is spoken now.
      if (clauseEnd >= 0 && words - wordsBeforeClause === FIRST_CLAUSE_MIN_REST_WORDS - 1) {
        return { kind: 'boundary', end: clauseEnd, next: clauseEnd };
      }
      if (words === MAX_SENTENCE_WORDS) {
        const cut = clauseCut(text, start, i);
        return { kind: 'boundary', end: cut, next: cut };
      }
      words++;
    }

    if (c === '"' || NEST_OPEN.includes(c) || NEST_CLOSE.includes(c)) nest(c);
    else if (
      firstClauseMinWords !== null &&
      clauseEnd < 0 &&
      words >= firstClauseMinWords &&
      nesting === 0 &&
      !straightQuoteOpen &&
      closesClause(text, start, i)
    ) {
      clauseEnd = i + 1;
      wordsBeforeClause = words;
    }

    if (CJK_TERMINATORS.includes(c)) {
      let j = i + 1;
      while (j < text.length && (CJK_TERMINATORS.includes(text.charAt(j)) || CLOSERS.includes(text.charAt(j)))) j++;
      // Chinese needs no space after 。, so any following character settles it.
      if (j === text.length) return atEnd;
      return { kind: 'boundary', end: j, next: j };
    }

    if (!TERMINATORS.includes(c)) continue;
    let j = i;
    while (j < text.length && TERMINATORS.includes(text.charAt(j))) j++;
    const run = text.slice(i, j);
    const closersStart = j;
    while (j < text.length && CLOSERS.includes(text.charAt(j))) j++;
    if (j === text.length) return atEnd;
    // The terminator run and its closers are skipped below; the closers still close quotes.
    for (let k = closersStart; k < j; k++) nest(text.charAt(k));
    if (!isSpace(text.charAt(j))) {
      // "3.5", "e.g.,", "example.com": a terminator glued to what follows is inside the sentence.
      i = j - 1;
      continue;
    }
    const closed = j > closersStart;
    let verdict: Verdict;
    if (/[?!]/u.test(run))
      verdict = closed ? 'next-word-decides' : 'end'; // "Really?" she asked.
    else if (run === '.') verdict = closed ? 'next-word-decides' : judgePeriod(text, start, i);
    else verdict = 'next-word-decides'; // an ellipsis may trail off mid-sentence: "I think... maybe"

    if (verdict === 'end') return { kind: 'boundary', end: j, next: j };
    if (verdict === 'next-word-decides') {
      let k = j;
      while (k < text.length && isSpace(text.charAt(k)) && text.charAt(k) !== '\n') k++;
      if (k === text.length) return final ? { kind: 'boundary', end: j, next: j } : atEnd;
      if (text.charAt(k) === '\n' || !isLower(text.charAt(k))) return { kind: 'boundary', end: j, next: j };
    }
    i = j - 1;
  }
  return atEnd;
}

/**
 * Cuts a streamed reply into sentences as they complete. `push` returns the sentences the new text
 * completed (often none, sometimes several); `flush` returns what is left at the end of the stream.
 */
export interface SplitOptions {
  /** Whether the first sentence's opening clause may go alone (default true). */
  firstClause?: boolean;
  /**
   * The fewest words that opening clause may have (default FIRST_CLAUSE_MIN_WORDS). A voice that takes a while to
   * start each piece (a neural one) is better served by a shorter one, "You said:" included.
   */
  firstClauseMinWords?: number;
}

export class SentenceStream {
  private buffer = '';
  /** Whether the next sentence is still the reply's first, whose opening clause may go alone. */
  private first: boolean;
  private readonly firstClauseMinWords: number;

  constructor(options: SplitOptions = {}) {
    this.first = options.firstClause ?? true;
    this.firstClauseMinWords = options.firstClauseMinWords ?? FIRST_CLAUSE_MIN_WORDS;
  }

  push(delta: string): string[] {
    this.buffer += delta;
    return this.drain(false);
  }

  flush(): string[] {
    const out = this.drain(true);
    const rest = this.buffer.trim();
    this.buffer = '';
    if (rest !== '') out.push(rest);
    return out;
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    let start = 0;
    while (start < this.buffer.length) {
      const found = scan(this.buffer, start, final, this.first ? this.firstClauseMinWords : null);
      if (found.kind === 'pending') break;
      const sentence = this.buffer.slice(start, found.end).trim();
      if (sentence !== '') {
        out.push(sentence);
        this.first = false;
      }
      start = found.next;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }
}

/** Splits a whole text into trimmed, non-empty sentences; joined with spaces they give the text back. */
export function splitSentences(text: string, options: SplitOptions = {}): string[] {
  const stream = new SentenceStream(options);
  return [...stream.push(text), ...stream.flush()];
}
