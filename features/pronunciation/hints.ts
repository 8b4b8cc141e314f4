import { tIn, type Locale, type MessageKey } from '@/core/i18n';
import type { HardSoundId, SoundToWorkOn } from '@/core/pronunciation';
import type { ExplanationLanguage } from '../corrections/correction-schema';

/**
 * The hints for the sounds Chinese speakers most often find hard (core/pronunciation.ts, HARD_SOUNDS), written for
 * them in locales/*.yml under `pronunciation.hint` and named under `pronunciation.sound`. They are teaching text, so
 * like the correction card's explanations they follow Settings › Explanations in, not the interface language.
 * Message names cannot hold a '-', so each id has its own camel-case key.
 */
const KEY_OF: Record<HardSoundId, string> = {
  'th-voiceless': 'thVoiceless',
  'th-voiced': 'thVoiced',
  v: 'v',
  w: 'w',
  l: 'l',
  n: 'n',
  r: 'r',
  'long-ee': 'longEe',
  'short-i': 'shortI',
  'a-cat': 'aCat',
  'e-bed': 'eBed',
  'final-consonant': 'finalConsonant',
  'consonant-cluster': 'consonantCluster',
};

/** The locale key of a sound's hint ("put the tip of your tongue between your teeth…"). */
export function hintKey(id: HardSoundId): MessageKey {
  return `pronunciation.hint.${KEY_OF[id]}` as MessageKey;
}

/** The locale key of a sound's name as a list shows it ("/θ/ as in “think”"). */
export function soundNameKey(id: HardSoundId): MessageKey {
  return `pronunciation.sound.${KEY_OF[id]}` as MessageKey;
}

/** The locale an explanation language's text comes from. */
export function explanationLocale(language: ExplanationLanguage): Locale {
  return language === 'zh-CN' ? 'zh_CN' : 'en';
}

export function soundHint(id: HardSoundId, language: ExplanationLanguage): string {
  return tIn(explanationLocale(language), hintKey(id));
}

export function soundName(id: HardSoundId, language: ExplanationLanguage): string {
  return tIn(explanationLocale(language), soundNameKey(id));
}

/** What the learner reads about one sound to work on, every part in the explanation language. */
export interface SoundAdvice {
  /** "/θ/ in “think”" */
  heading: string;
  /** "It sounded closer to /s/." or "It was left out." */
  heard: string;
  hint: string;
}

export function adviceFor(sound: SoundToWorkOn, language: ExplanationLanguage): SoundAdvice {
  const locale = explanationLocale(language);
  return {
    heading: tIn(locale, 'pronunciation.soundIn', { ipa: sound.ipa, word: sound.word }),
    heard:
      sound.kind === 'substituted' && sound.heardInstead
        ? tIn(locale, 'pronunciation.heardInstead', { heard: sound.heardInstead })
        : tIn(locale, 'pronunciation.leftOut'),
    hint: soundHint(sound.sound, language),
  };
}
