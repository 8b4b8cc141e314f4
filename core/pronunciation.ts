/**
 * What the pronunciation judge (offscreen/pronunciation/judge.ts) says about one practice attempt, shared with
 * the panel that shows it. Sounds are named in ARPABET (the CMU pronouncing dictionary's phone set, which the
 * recogniser's model uses) and shown in IPA.
 */

/** ARPABET (as the recogniser spells it) to IPA, for every phone the US-English model knows. */
export const ARPABET_TO_IPA: Readonly<Record<string, string>> = {
  AA: 'ɑ',
  AE: 'æ',
  AH: 'ʌ',
  AO: 'ɔ',
  AW: 'aʊ',
  AY: 'aɪ',
  B: 'b',
  CH: 'tʃ',
  D: 'd',
  DH: 'ð',
  EH: 'e',
  ER: 'ɜr',
  EY: 'eɪ',
  F: 'f',
  G: 'ɡ',
  HH: 'h',
  IH: 'ɪ',
  IY: 'iː',
  JH: 'dʒ',
  K: 'k',
  L: 'l',
  M: 'm',
  N: 'n',
  NG: 'ŋ',
  OW: 'oʊ',
  OY: 'ɔɪ',
  P: 'p',
  R: 'r',
  S: 's',
  SH: 'ʃ',
  T: 't',
  TH: 'θ',
  UH: 'ʊ',
  UW: 'uː',
  V: 'v',
  W: 'w',
  Y: 'j',
  Z: 'z',
  ZH: 'ʒ',
};

export function ipaOf(arpabet: string): string {
  return ARPABET_TO_IPA[arpabet] ?? arpabet.toLowerCase();
}

export const CONSONANTS: ReadonlySet<string> = new Set([
  'B',
  'CH',
  'D',
  'DH',
  'F',
  'G',
  'HH',
  'JH',
  'K',
  'L',
  'M',
  'N',
  'NG',
  'P',
  'R',
  'S',
  'SH',
  'T',
  'TH',
  'V',
  'W',
  'Y',
  'Z',
  'ZH',
]);

/**
 * The sounds Chinese speakers of English most often find hard, each with the sounds it is commonly said as.
 * The hints and the notebook's Sounds tab are keyed by `id`, so an id never changes meaning once shipped.
 */
export type HardSoundId =
  | 'th-voiceless'
  | 'th-voiced'
  | 'v'
  | 'w'
  | 'l'
  | 'n'
  | 'r'
  | 'long-ee'
  | 'short-i'
  | 'a-cat'
  | 'e-bed'
  | 'final-consonant'
  | 'consonant-cluster';

export interface HardSound {
  id: HardSoundId;
  /** The phone as the dictionary spells it; undefined for the two kinds that are about position, not a phone. */
  arpabet?: string;
  /** What the learner sees: the phone in IPA, or a pattern for the positional kinds. */
  ipa: string;
  /** The phones it is most often said as instead (ARPABET), tried by the judge's second pass. */
  confusedWith: readonly string[];
}

export const HARD_SOUNDS: readonly HardSound[] = [
  { id: 'th-voiceless', arpabet: 'TH', ipa: 'θ', confusedWith: ['S', 'F', 'T'] },
  { id: 'th-voiced', arpabet: 'DH', ipa: 'ð', confusedWith: ['D', 'Z', 'V'] },
  { id: 'v', arpabet: 'V', ipa: 'v', confusedWith: ['W', 'B', 'F'] },
  { id: 'w', arpabet: 'W', ipa: 'w', confusedWith: ['V'] },
  { id: 'l', arpabet: 'L', ipa: 'l', confusedWith: ['N', 'R'] },
  { id: 'n', arpabet: 'N', ipa: 'n', confusedWith: ['L'] },
  { id: 'r', arpabet: 'R', ipa: 'r', confusedWith: ['L', 'W'] },
  { id: 'long-ee', arpabet: 'IY', ipa: 'iː', confusedWith: ['IH'] },
  { id: 'short-i', arpabet: 'IH', ipa: 'ɪ', confusedWith: ['IY'] },
  { id: 'a-cat', arpabet: 'AE', ipa: 'æ', confusedWith: ['EH'] },
  { id: 'e-bed', arpabet: 'EH', ipa: 'e', confusedWith: ['AE'] },
  { id: 'final-consonant', ipa: '…C', confusedWith: [] },
  { id: 'consonant-cluster', ipa: 'CC', confusedWith: [] },
];

const BY_ARPABET = new Map(HARD_SOUNDS.filter((s) => s.arpabet).map((s) => [s.arpabet as string, s]));

/** The hard sound a phone is, if it is one. */
export function hardSoundOf(arpabet: string): HardSound | undefined {
  return BY_ARPABET.get(arpabet);
}

export interface PhoneJudgement {
  ipa: string;
  arpabet: string;
  /** 0–100: how closely the recording matched this sound. */
  score: number;
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
  /** The sound it was closer to (IPA), when the judge could tell; absent when the sound was dropped. */
  heardInstead?: string;
  /** The sound was not there at all (a dropped final consonant, a reduced cluster). */
  dropped?: boolean;
}

/** 'unknown': not in the pronouncing dictionary (a name, a number), so not judged and not counted. */
export type WordVerdict = 'good' | 'unclear' | 'missed' | 'unknown';

export interface WordJudgement {
  /** The word as written in the text. */
  text: string;
  verdict: WordVerdict;
  /** Seconds from the start of the recording; both 0 for a missed or unknown word. */
  start: number;
  end: number;
  /** 0–100; 0 for a missed word, undefined for an unknown one. */
  score?: number;
  phones: PhoneJudgement[];
}

export interface SoundToWorkOn {
  sound: HardSoundId;
  /** The sound as the learner should say it (IPA). */
  ipa: string;
  /** The first word of the attempt it went wrong in, as written. */
  word: string;
  /** What it sounded closer to (IPA); absent when the sound was left out. */
  heardInstead?: string;
  kind: 'substituted' | 'dropped';
}

export interface PronunciationResult {
  kind: 'judged';
  /** 0–100 for the whole attempt. */
  score: number;
  words: WordJudgement[];
  /** At most three, the most frequent first. */
  soundsToWorkOn: SoundToWorkOn[];
  /** How long the judging took, in milliseconds (model loading excluded). */
  elapsedMs: number;
}

export type PronunciationRefusalReason = 'too-short' | 'silent' | 'not-english' | 'unknown-words';

/** The locale key of the message shown instead of a score. */
export const REFUSAL_MESSAGE_KEYS = {
  'too-short': 'pronunciation.tooShort',
  silent: 'pronunciation.silent',
  'not-english': 'pronunciation.notEnglish',
  'unknown-words': 'pronunciation.unknownWords',
} as const satisfies Record<PronunciationRefusalReason, string>;

export interface PronunciationRefusal {
  kind: 'refused';
  reason: PronunciationRefusalReason;
  messageKey: (typeof REFUSAL_MESSAGE_KEYS)[PronunciationRefusalReason];
}

export type PronunciationJudgement = PronunciationResult | PronunciationRefusal;

export function refusal(reason: PronunciationRefusalReason): PronunciationRefusal {
  return { kind: 'refused', reason, messageKey: REFUSAL_MESSAGE_KEYS[reason] };
}
