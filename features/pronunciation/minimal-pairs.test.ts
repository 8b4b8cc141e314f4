import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSONANTS, HARD_SOUNDS, type HardSound } from '@/core/pronunciation';
import { isFunctionWord, wordsOf } from '@/offscreen/pronunciation/variants';
import { DRILL_ROUNDS, drillRound } from './minimal-pairs';

/** The recogniser's own pronouncing dictionary: every pronunciation of each word ("word(2)" lines are variants). */
const DICTIONARY = new Map<string, string[][]>();
const dictText = readFileSync(
  path.resolve(import.meta.dirname, '../../node_modules/soundswallower/model/en-us/dict.txt'),
  'utf8',
);
for (const line of dictText.split('\n')) {
  const [head, ...phones] = line.trim().split(/\s+/);
  if (!head || phones.length === 0) continue;
  const word = head.replace(/\(\d+\)$/, '');
  DICTIONARY.set(word, [...(DICTIONARY.get(word) ?? []), phones]);
}

const VOWELS = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW']);
const pronunciations = (word: string) => DICTIONARY.get(word.toLowerCase()) ?? [];
const same = (a: readonly string[], b: readonly string[]) => a.join(' ') === b.join(' ');

/** The word has the sound: the phone, a final consonant (of a word of three sounds or more), an opening cluster. */
function carries(sound: HardSound, phones: readonly string[]): boolean {
  if (sound.arpabet) return phones.includes(sound.arpabet);
  if (sound.id === 'final-consonant') return phones.length >= 3 && CONSONANTS.has(phones.at(-1)!);
  return phones.length >= 2 && CONSONANTS.has(phones[0]!) && CONSONANTS.has(phones[1]!);
}

/** The partner is the word said the wrong way: the sound swapped for one it is confused with, dropped, or split by a vowel. */
function isWrongVersion(sound: HardSound, word: readonly string[], partner: readonly string[]): boolean {
  if (sound.arpabet) {
    return word.some(
      (phone, i) =>
        phone === sound.arpabet &&
        sound.confusedWith.some((instead) => same([...word.slice(0, i), instead, ...word.slice(i + 1)], partner)),
    );
  }
  if (sound.id === 'final-consonant') return same(word.slice(0, -1), partner);
  return (
    partner.length === word.length + 1 && VOWELS.has(partner[1]!) && same(word, [partner[0]!, ...partner.slice(2)])
  );
}

describe('the minimal-pair drills', () => {
  it('have a few rounds for every hard sound', () => {
    for (const sound of HARD_SOUNDS) expect(DRILL_ROUNDS[sound.id].length, sound.id).toBeGreaterThanOrEqual(3);
  });

  it('use only words the recogniser can judge: every word is in its dictionary', () => {
    const missing = Object.values(DRILL_ROUNDS)
      .flat()
      .flatMap((round) => wordsOf(round.text).map((w) => w.key))
      .filter((key) => pronunciations(key).length === 0);
    expect(missing).toEqual([]);
  });

  it('judge words that carry the sound, and never a function word (those are only checked as said or missed)', () => {
    const wrong: string[] = [];
    for (const sound of HARD_SOUNDS) {
      for (const round of DRILL_ROUNDS[sound.id]) {
        const written = wordsOf(round.text).map((w) => w.text);
        for (const target of round.targets) {
          if (!written.includes(target)) wrong.push(`${sound.id}: "${target}" is not in "${round.text}"`);
          if (isFunctionWord(target.toLowerCase())) wrong.push(`${sound.id}: "${target}" is a function word`);
          if (!pronunciations(target).some((phones) => carries(sound, phones)))
            wrong.push(`${sound.id}: "${target}" does not have the sound`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('pair each word with the word it becomes when the sound is said wrong ("think — sink", "seed — see")', () => {
    const notPairs: string[] = [];
    for (const sound of HARD_SOUNDS) {
      for (const round of DRILL_ROUNDS[sound.id]) {
        const [word, dash, partner, ...rest] = round.text.split(' ');
        if (dash !== '—') continue;
        expect(rest).toEqual([]);
        const matched = pronunciations(word!).some((w) =>
          pronunciations(partner!).some((p) => isWrongVersion(sound, w, p)),
        );
        if (!matched) notPairs.push(`${sound.id}: ${round.text}`);
      }
    }
    expect(notPairs).toEqual([]);
    // Every phone sound is drilled with pairs only.
    for (const sound of HARD_SOUNDS.filter((s) => s.arpabet)) {
      expect(
        DRILL_ROUNDS[sound.id].every((round) => round.text.includes(' — ')),
        sound.id,
      ).toBe(true);
    }
  });

  it('go round the list again after the last round', () => {
    const rounds = DRILL_ROUNDS['th-voiceless'];
    expect(drillRound('th-voiceless', 0).text).toBe('think — sink');
    expect(drillRound('th-voiceless', rounds.length)).toBe(rounds[0]);
    expect(drillRound('th-voiceless', rounds.length + 1)).toBe(rounds[1]);
  });
});
