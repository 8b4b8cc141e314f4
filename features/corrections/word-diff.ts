import { diffArrays, diffWords } from 'diff';
import { SMALL_NUMBER_VALUES, TENS_VALUES } from '../../common/number-words';

/**
 * Word-level comparisons, with jsdiff: the correction card's diff (what the learner said → the
 * corrected sentence), and a learner's spoken attempt judged word by word against a target sentence
 * ("Say it again", "Read it aloud"). Both run locally, with no request.
 */

export type DiffChange = 'same' | 'removed' | 'added';
export interface DiffPart {
  text: string;
  change: DiffChange;
}

/** The sentence as said → as corrected, in order: shared text, removed words, added words. */
export function sentenceDiff(before: string, after: string): DiffPart[] {
  return diffWords(before.trim(), after.trim()).map((part) => ({
    text: part.value,
    change: part.added ? 'added' : part.removed ? 'removed' : 'same',
  }));
}

export type WordVerdict =
  | { status: 'right'; expected: string; said: string }
  | { status: 'missed'; expected: string }
  | { status: 'wrong'; expected: string; said: string }
  | { status: 'extra'; said: string };

export interface AttemptComparison {
  /** The target's words in order, with extra words where the learner added them. */
  words: WordVerdict[];
  /** Target words said right, out of `total`. */
  right: number;
  total: number;
  allRight: boolean;
}

const CONTRACTIONS: Record<string, string[]> = {
  "can't": ['can', 'not'],
  cannot: ['can', 'not'],
  "won't": ['will', 'not'],
  "shan't": ['shall', 'not'],
  "i'm": ['i', 'am'],
  "let's": ['let', 'us'],
};
const SUFFIXES: Array<[string, string]> = [
  ["n't", 'not'],
  ["'re", 'are'],
  ["'ve", 'have'],
  ["'ll", 'will'],
];

/** Speech recognisers write hesitations in verbatim mode; they are not words of the sentence. */
const FILLERS = new Set(['um', 'uh', 'er', 'erm', 'hmm', 'mm', 'ah', 'eh']);

/** The comparable pieces of one written word: lowercase, no punctuation, contractions expanded. */
function unitsOf(word: string): string[] {
  const cleaned = word
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/(?<=\d),(?=\d{3})/g, '');
  const pieces = cleaned.split(/[-–—/]/);
  const units: string[] = [];
  for (const piece of pieces) {
    const bare = piece.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!bare) continue;
    const whole = CONTRACTIONS[bare];
    if (whole) {
      units.push(...whole);
      continue;
    }
    const suffix = SUFFIXES.find(([ending]) => bare.endsWith(ending) && bare.length > ending.length);
    if (suffix) units.push(bare.slice(0, -suffix[0].length), suffix[1]);
    else units.push(bare.replace(/[^\p{L}\p{N}']/gu, ''));
  }
  return units;
}

interface Unit {
  key: string;
  /** Index of the written word it came from. */
  owner: number;
}

function numberValue(word: string): number | undefined {
  return SMALL_NUMBER_VALUES.get(word) ?? TENS_VALUES.get(word);
}

/** "twenty one", "twenty-one" and "21" all become "21"; "seven" becomes "7". */
function numbersAsDigits(units: Unit[]): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    const value = numberValue(unit.key);
    if (value === undefined) {
      out.push(unit);
      continue;
    }
    const next = units[i + 1];
    const ones = next ? numberValue(next.key) : undefined;
    if (value >= 20 && ones !== undefined && ones > 0 && ones < 10) {
      out.push({ key: String(value + ones), owner: unit.owner });
      i += 1;
    } else out.push({ key: String(value), owner: unit.owner });
  }
  return out;
}

function splitWords(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

function unitsOfText(words: string[], dropFillers: boolean): Unit[] {
  const units = words.flatMap((word, owner) => unitsOf(word).map((key) => ({ key, owner })));
  return numbersAsDigits(units.filter((unit) => unit.key && !(dropFillers && FILLERS.has(unit.key))));
}

type UnitEvent =
  | { kind: 'right' | 'wrong'; target: Unit; said: Unit }
  | { kind: 'missed'; target: Unit }
  | { kind: 'extra'; said: Unit };

/**
 * Compares what the learner said with the target, ignoring case, punctuation, hesitations, the
 * spelling of numbers and contractions ("I'm" = "I am"). A removed run next to an added run is a
 * substitution: those words are "wrong", the rest "missed" or "extra".
 */
export function compareAttempt(target: string, attempt: string): AttemptComparison {
  const targetWords = splitWords(target);
  const attemptWords = splitWords(attempt);
  const targetUnits = unitsOfText(targetWords, false);
  const attemptUnits = unitsOfText(attemptWords, true);
  const changes = diffArrays(targetUnits, attemptUnits, { comparator: (a, b) => a.key === b.key });

  const events: UnitEvent[] = [];
  // Equal runs carry the attempt's units (jsdiff keeps the new side), so the target's are found by position.
  let targetIndex = 0;
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    if (!change.added && !change.removed) {
      for (const said of change.value) events.push({ kind: 'right', target: targetUnits[targetIndex++] ?? said, said });
      continue;
    }
    const next = changes[i + 1];
    const pairsWithNext = next !== undefined && (next.added || next.removed) && next.added !== change.added;
    if (pairsWithNext) i += 1;
    const removed = change.removed ? change.value : pairsWithNext && next.removed ? next.value : [];
    const added = change.added ? change.value : pairsWithNext && next.added ? next.value : [];
    targetIndex += removed.length;
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k++) events.push({ kind: 'wrong', target: removed[k]!, said: added[k]! });
    for (const target of removed.slice(paired)) events.push({ kind: 'missed', target });
    for (const said of added.slice(paired)) events.push({ kind: 'extra', said });
  }
  return verdicts(events, targetWords, attemptWords);
}

/** Units back to written words: a word is right when all its pieces are, missed when none was said. */
function verdicts(events: UnitEvent[], targetWords: string[], attemptWords: string[]): AttemptComparison {
  const words: WordVerdict[] = [];
  let current: { owner: number; kinds: Set<string>; said: Set<number> } | undefined;
  const flush = () => {
    if (!current) return;
    const expected = targetWords[current.owner] ?? '';
    const said = [...current.said].map((index) => attemptWords[index]).join(' ');
    if (current.kinds.size === 1 && current.kinds.has('right')) words.push({ status: 'right', expected, said });
    else if (current.kinds.size === 1 && current.kinds.has('missed')) words.push({ status: 'missed', expected });
    else words.push({ status: 'wrong', expected, said });
    current = undefined;
  };
  // Extra words wait until the target word being built is complete, so a word is never split in two.
  const pending: number[] = [];
  const emitPending = () => {
    for (const owner of pending) words.push({ status: 'extra', said: attemptWords[owner] ?? '' });
    pending.length = 0;
  };
  for (const event of events) {
    if (event.kind === 'extra') {
      if (pending.at(-1) !== event.said.owner) pending.push(event.said.owner);
      continue;
    }
    if (current && current.owner !== event.target.owner) flush();
    if (!current) emitPending();
    current ??= { owner: event.target.owner, kinds: new Set(), said: new Set() };
    current.kinds.add(event.kind);
    if (event.kind !== 'missed') current.said.add(event.said.owner);
  }
  flush();
  emitPending();
  const right = words.filter((word) => word.status === 'right').length;
  const total = words.filter((word) => word.status !== 'extra').length;
  const allRight = total > 0 && right === total && words.every((word) => word.status !== 'extra');
  return { words, right, total, allRight };
}
