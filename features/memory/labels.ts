import { t } from '@/core/i18n';
import type { ProfileFactKind } from '@/core/db/schema';
import type { GrammarPoint } from '../corrections/correction-schema';

/** Message names cannot hold the points' hyphens (chrome.i18n allows letters, digits and _). */
const POINT_KEYS = {
  'past-simple': 'pastSimple',
  'present-perfect': 'presentPerfect',
  'subject-verb-agreement': 'subjectVerbAgreement',
  articles: 'articles',
  prepositions: 'prepositions',
  plurals: 'plurals',
  comparatives: 'comparatives',
  'word-order': 'wordOrder',
  pronouns: 'pronouns',
  'verb-forms': 'verbForms',
  'countable-nouns': 'countableNouns',
  questions: 'questions',
  other: 'other',
} as const satisfies Record<GrammarPoint, string>;

export const pointLabel = (point: GrammarPoint): string => t(`memory.points.${POINT_KEYS[point]}`);
export const factKindLabel = (kind: ProfileFactKind): string => t(`memory.kinds.${kind}`);
