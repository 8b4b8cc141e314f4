import { ipaOf, type PhoneJudgement, type WordJudgement } from '../../core/pronunciation';
import { vowelFormants, type Formants } from './formants';

/**
 * The judge's acoustic cues (offscreen/pronunciation/judge.ts): checks of the signal itself for the swaps the
 * recogniser hardly hears, a vowel's formants (/æ/ as /e/, /iː/ as /ɪ/) and a final voiced stop's length. Each runs
 * after the recogniser, on words it judged good, and only marks them down.
 */

/** Their thresholds, part of JudgeThresholds; each one left out is not listened for. */
export interface AcousticCueThresholds {
  /**
   * The formant cue for /æ/ said as /e/ (see vowelFormants): a well-aligned /æ/ is flagged when its F1/F2 is
   * below `aeF1F2` and also below `aeRelative` times the median F1/F2 of every vowel in the attempt (the same
   * speaker's own range). Left out: not listened for.
   */
  aeF1F2?: number;
  aeRelative?: number;
  /** The formant cue for /iː/ said as /ɪ/: flagged when its F1 is at least this (Hz). Left out: not listened for. */
  iyF1Hz?: number;
  /**
   * A word's final /d/, /b/ or /g/ given the recogniser's shortest span (30 ms) and a phoneScore below this was
   * left out ("car" for "card"). Left out: not listened for.
   */
  finalStopScore?: number;
}

/** What the cues need to know of a planned word: function words are reduced by everyone, so never flagged. */
export interface CueWord {
  functionWord: boolean;
}

const VOWELS = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW']);
/** Shorter than this, a vowel has too few windows for its formants to mean much. */
const MIN_VOWEL_S = 0.03;
/** An /iː/'s first peak this high is its F2: its F1 fell below the 200 Hz vowelFormants looks from. */
const IY_F1_IS_F2_HZ = 1_000;

/**
 * Vowels the recogniser hardly tells apart, told by their formants (vowelFormants) in words it judged good.
 * /æ/ said as /e/ (bench:pronunciation run1 missed eSpeak's bad, man, sad, pan and bag with /e/ at every
 * weight): /æ/ is the more open vowel, its F1 higher against F2; flagged when both its own F1/F2 and that ratio
 * against the attempt's median vowel are low (each alone flagged Piper's well-said "bank" or "answers").
 * /iː/ said as /ɪ/ (run1 missed eSpeak's feel and heel): /iː/ is the closest vowel, its F1 under about 310 Hz in
 * nearly every word of both voices (or below 200 Hz, where the first peak found is F2 above 1 kHz), /ɪ/'s at 390–470 Hz. A word's
 * last /iː/ after another vowel ("very", "city") is unstressed and left alone: it is no minimal-pair partner.
 */
export function flagVowels(
  words: WordJudgement[],
  plan: readonly CueWord[],
  pcm: Float32Array,
  thresholds: AcousticCueThresholds,
): void {
  const listened = (phone: PhoneJudgement, i: number, phones: readonly PhoneJudgement[]) =>
    (phone.arpabet === 'AE' && thresholds.aeF1F2 !== undefined) ||
    (phone.arpabet === 'IY' &&
      thresholds.iyF1Hz !== undefined &&
      !(i === phones.length - 1 && phones.slice(0, i).some((p) => VOWELS.has(p.arpabet))));
  const candidates = words.filter((w, i) => w.verdict === 'good' && !plan[i]!.functionWord && w.phones.some(listened));
  if (candidates.length === 0) return;
  const formantsOf = new Map<PhoneJudgement, Formants>();
  for (const word of words) {
    for (const phone of word.phones) {
      if (!VOWELS.has(phone.arpabet) || phone.dropped || phone.end - phone.start < MIN_VOWEL_S) continue;
      const formants = vowelFormants(pcm, phone.start, phone.end);
      if (formants) formantsOf.set(phone, formants);
    }
  }
  const ratios = [...formantsOf.values()].map((f) => f.f1 / f.f2).sort((a, b) => a - b);
  if (ratios.length === 0) return;
  const typical = ratios[ratios.length >> 1]!;
  for (const word of candidates) {
    word.phones.forEach((phone, i) => {
      const formants = formantsOf.get(phone);
      if (!formants || !listened(phone, i, word.phones)) return;
      let heard: string | undefined;
      if (phone.arpabet === 'AE') {
        const ratio = formants.f1 / formants.f2;
        if (ratio < thresholds.aeF1F2! && ratio / typical < (thresholds.aeRelative ?? Infinity)) heard = 'EH';
      } else if (formants.f1 >= thresholds.iyF1Hz! && formants.f1 < IY_F1_IS_F2_HZ) {
        heard = 'IH';
      }
      if (!heard) return;
      phone.heardInstead = ipaOf(heard);
      phone.score = Math.min(phone.score, 30);
      word.verdict = 'unclear';
      word.score = Math.round(word.phones.reduce((sum, p) => sum + p.score, 0) / word.phones.length);
    });
  }
}

const VOICED_STOPS = new Set(['B', 'D', 'G']);
/** The recogniser gives every phone at least three 10 ms frames; a final stop squeezed to that was hardly there. */
const SHORTEST_PHONE_S = 0.035;

/**
 * A final voiced stop left out ("car" for "card", "see" for "seed"): its variant without the stop (weight
 * `dropped`) seldom wins, as the silence or the next word's onset covers the missing closure nearly as well,
 * but the recogniser then fits the written /d/ into its shortest span with a poorer match (bench:pronunciation
 * run1's card, seed, made, wide said without /d/: phoneScore 75–91, 30 ms; said with it 86–99, mostly
 * longer). Voiceless finals are left alone: eSpeak says /t/ and /k/ that short and that poorly when they are there.
 */
export function flagDroppedStops(words: WordJudgement[], plan: readonly CueWord[], maxScore: number): void {
  words.forEach((word, i) => {
    const last = word.phones[word.phones.length - 1];
    if (word.verdict !== 'good' || plan[i]!.functionWord || word.phones.length < 3 || !last) return;
    if (!VOICED_STOPS.has(last.arpabet) || last.end - last.start > SHORTEST_PHONE_S || last.score >= maxScore) return;
    last.dropped = true;
    last.score = 0;
    word.verdict = 'unclear';
    word.score = Math.round(word.phones.reduce((sum, p) => sum + p.score, 0) / word.phones.length);
  });
}
