import { CONSONANTS, HARD_SOUNDS, hardSoundOf, type HardSoundId } from '../../core/pronunciation';

/** One way of saying a word wrong that the judge listens for: a hard sound said as another, or left out. */
export interface Variant {
  phones: string[];
  /** Where in the written pronunciation the change is. */
  position: number;
  sound: HardSoundId;
  kind: 'substituted' | 'dropped';
  /** For a substitution: the phone said instead (ARPABET). */
  heard?: string;
  /** The written pronunciation it changes, when the word has several (see GrammarWord.alternates). */
  written?: string[];
}

/**
 * Words said so fast in running speech that their vowels and final consonants are reduced by every speaker;
 * listening for a "wrong" sound in them flags fluent English, so they are judged only as said or missed.
 */
const FUNCTION_WORDS = new Set(
  (
    'a an the of to and or but in on at by for from with as is are was were be been am it its i me my we our ' +
    'you your he him his she her they them their this that these those there here than then so do does did not ' +
    "no if up out can will would could should have has had i'm it's don't"
  ).split(' '),
);

/** The words of a text as written, and the key each is looked up by in the pronouncing dictionary. */
export interface TextWord {
  text: string;
  key: string;
}

export function wordsOf(text: string): TextWord[] {
  const words: TextWord[] = [];
  for (const raw of text.split(/\s+/)) {
    // Curly apostrophes are what most keyboards and chat models write; the dictionary has straight ones.
    const key = raw
      .toLowerCase()
      .replace(/[’‘]/g, "'")
      .replace(/^[^a-z0-9']+|[^a-z0-9']+$/g, '')
      .replace(/^'+|'+$/g, '');
    if (key) words.push({ text: raw.replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, ''), key });
  }
  return words;
}

export function isFunctionWord(key: string): boolean {
  return FUNCTION_WORDS.has(key);
}

/**
 * The likely mispronunciations of a word with this written pronunciation, one change each: every hard sound
 * said as each sound it is confused with, the final consonant left out, and one consonant of an opening
 * cluster left out ("play" as "pay", "stop" as "top"). None repeats the written pronunciation or another variant.
 */
export function variantsOf(phones: readonly string[]): Variant[] {
  const variants: Variant[] = [];
  const seen = new Set([phones.join(' ')]);
  const add = (variant: Variant) => {
    const key = variant.phones.join(' ');
    if (variant.phones.length === 0 || seen.has(key)) return;
    seen.add(key);
    variants.push(variant);
  };
  phones.forEach((phone, position) => {
    const hard = hardSoundOf(phone);
    for (const heard of hard?.confusedWith ?? []) {
      const said = [...phones];
      said[position] = heard;
      add({ phones: said, position, sound: hard!.id, kind: 'substituted', heard });
    }
  });
  const last = phones.length - 1;
  // A word of two sounds without its last is another word altogether ("at" → "a"), not a dropped ending.
  if (phones.length >= 3 && CONSONANTS.has(phones[last]!)) {
    add({ phones: phones.slice(0, last), position: last, sound: 'final-consonant', kind: 'dropped' });
  }
  if (phones.length >= 3 && CONSONANTS.has(phones[0]!) && CONSONANTS.has(phones[1]!)) {
    for (const position of [0, 1]) {
      add({
        phones: phones.filter((_, i) => i !== position),
        position,
        sound: 'consonant-cluster',
        kind: 'dropped',
      });
    }
  }
  return variants;
}

/** The name a pronunciation goes by in the recogniser's dictionary and grammar: only letters, digits and _. */
export function tokenFor(phones: readonly string[]): string {
  return `p_${phones.join('_').toLowerCase()}`;
}

export interface GrammarWord {
  /** The written pronunciation; undefined for a word the dictionary lacks (it is left out of the grammar). */
  phones?: string[];
  /** The dictionary's other pronunciations of the word ("live" as L AY V and L IH V): as written too. */
  alternates?: string[][];
  variants: Variant[];
}

export interface GrammarWeights {
  /** How much likelier the written pronunciation is than a variant with one sound said as another. */
  substituted: number;
  /**
   * The same for one substitution, keyed by pairKey ('V>B': /v/ said as /b/), in place of `substituted`: the
   * recogniser tells some pairs apart far better than others. Infinity: not listened for at all.
   */
  pairs?: Readonly<Record<string, number>>;
  /**
   * How much likelier it is than a variant with a sound left out. Larger: a short silence after a word absorbs
   * a weak final consonant as easily as the consonant does, so leaving one out costs the recogniser little.
   */
  dropped: number;
}

/**
 * A JSGF grammar for the text: each word as written or as one of its variants. The recogniser picks the
 * likeliest path, so a variant wins only where the recording is closer to it by more than its weight — the
 * thresholds bench:pronunciation calibrates. No word may be left out: with that choice in the grammar the
 * recogniser skipped well-said words and let the silence around them cover their sound (eSpeak's "narrow" and
 * "behind", even at a prior of 1e20 against skipping); a word not said is found by its length instead.
 */
export function grammarFor(words: readonly GrammarWord[], weights: GrammarWeights): string {
  const rules: string[] = [];
  const sequence: string[] = [];
  words.forEach((word, i) => {
    if (!word.phones) return;
    const alternatives = [word.phones, ...(word.alternates ?? [])].map((phones) => `/1/ ${tokenFor(phones)}`);
    for (const variant of word.variants) {
      const weight = weightOf(variant, weights);
      if (weight === Infinity) continue;
      alternatives.push(`/${decimal(1 / weight)}/ ${tokenFor(variant.phones)}`);
    }
    rules.push(`<w${i}> = ${alternatives.join(' | ')};`);
    sequence.push(`<w${i}>`);
  });
  return ['#JSGF V1.0;', 'grammar attempt;', `public <attempt> = ${sequence.join(' ')};`, ...rules, ''].join('\n');
}

/** The name a substitution goes by in GrammarWeights.pairs: the written phone and the one heard, in ARPABET. */
export function pairKey(variant: Variant): string {
  return `${HARD_SOUNDS.find((s) => s.id === variant.sound)!.arpabet}>${variant.heard}`;
}

/** How much likelier the written pronunciation is than this variant (see GrammarWeights). */
export function weightOf(variant: Variant, weights: GrammarWeights): number {
  if (variant.kind === 'dropped') return weights.dropped;
  return weights.pairs?.[pairKey(variant)] ?? weights.substituted;
}

/** JSGF weights are plain decimals (no exponent); `value` is at most 1. */
export function decimal(value: number): string {
  return value.toFixed(Math.min(100, Math.max(1, Math.ceil(-Math.log10(value)) + 3))).replace(/\.?0+$/, '');
}
