import type { HardSoundId } from '@/core/pronunciation';

/**
 * What a Sounds-tab drill asks the learner to say: for each hard sound, minimal pairs (the word with the sound and
 * the word it turns into when said the way Chinese speakers often say it: "think — sink") or, for the two positional
 * kinds, short lists of words that end in a consonant or open with a cluster. Said together, the two words of a pair
 * make the learner hear and feel the difference; the judge then checks the word with the sound.
 *
 * Every word is in the recogniser's pronouncing dictionary, and no word carrying the sound is one of the function
 * words the judge only checks as said or missed (minimal-pairs.test.ts checks both).
 */

export interface DrillRound {
  /** What the learner reads aloud. */
  text: string;
  /** The words in `text` that carry the sound, as written: the round is passed when each is said well. */
  targets: readonly string[];
}

/** A pair: the word with the sound first, then the word it is often said as. */
const pair = (word: string, partner: string): DrillRound => ({ text: `${word} — ${partner}`, targets: [word] });
/** A list of words that each carry the sound. */
const words = (...list: string[]): DrillRound => ({ text: list.join(', '), targets: list });

export const DRILL_ROUNDS: Readonly<Record<HardSoundId, readonly DrillRound[]>> = {
  'th-voiceless': [
    pair('think', 'sink'),
    pair('three', 'free'),
    pair('thank', 'tank'),
    pair('mouth', 'mouse'),
    pair('thin', 'tin'),
  ],
  'th-voiced': [
    pair('breathe', 'breeze'),
    pair('though', 'dough'),
    pair('lather', 'ladder'),
    pair('clothe', 'close'),
    pair('worthy', 'wordy'),
  ],
  v: [pair('very', 'berry'), pair('vest', 'west'), pair('vine', 'wine'), pair('van', 'ban'), pair('vote', 'boat')],
  w: [pair('wine', 'vine'), pair('west', 'vest'), pair('wet', 'vet'), pair('wail', 'veil'), pair('worse', 'verse')],
  l: [pair('light', 'right'), pair('lead', 'need'), pair('long', 'wrong'), pair('lane', 'rain'), pair('lock', 'rock')],
  n: [pair('night', 'light'), pair('need', 'lead'), pair('nine', 'line'), pair('snow', 'slow'), pair('knock', 'lock')],
  r: [pair('right', 'light'), pair('rock', 'lock'), pair('read', 'lead'), pair('rice', 'lice'), pair('road', 'load')],
  'long-ee': [
    pair('sheep', 'ship'),
    pair('leave', 'live'),
    pair('seat', 'sit'),
    pair('feel', 'fill'),
    pair('heat', 'hit'),
  ],
  'short-i': [
    pair('ship', 'sheep'),
    pair('live', 'leave'),
    pair('sit', 'seat'),
    pair('fill', 'feel'),
    pair('hit', 'heat'),
  ],
  'a-cat': [pair('bad', 'bed'), pair('man', 'men'), pair('sad', 'said'), pair('pan', 'pen'), pair('bag', 'beg')],
  'e-bed': [pair('bed', 'bad'), pair('men', 'man'), pair('pen', 'pan'), pair('beg', 'bag'), pair('head', 'had')],
  'final-consonant': [
    words('bag', 'cold', 'world'),
    pair('seed', 'see'),
    words('book', 'road', 'hope'),
    pair('tight', 'tie'),
    words('friend', 'milk', 'hand'),
  ],
  'consonant-cluster': [
    words('play', 'street', 'spring'),
    pair('sport', 'support'),
    words('black', 'green', 'strong'),
    pair('blow', 'below'),
    words('fly', 'cry', 'smile'),
  ],
};

/** The round-th drill of a sound, going round its list again after the last. */
export function drillRound(sound: HardSoundId, round: number): DrillRound {
  const rounds = DRILL_ROUNDS[sound];
  const index = ((Math.trunc(round) % rounds.length) + rounds.length) % rounds.length;
  return rounds[index]!;
}
