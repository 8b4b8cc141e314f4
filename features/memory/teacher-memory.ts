import type { GrammarPoint } from '../corrections/correction-schema';
import type { ProfileFact, ProfileFactKind } from '../../core/db/schema';
import type { Level, TeacherMemory } from '../talk/teacher-prompt';
import type { RecurringMistake } from './recurring';

/**
 * What the teacher is told of the learner profile: a summary of at most 120 words (every request
 * carries it, so it must stay small), a focus for the session from the recurring mistakes, and a
 * remembered fact the opening question may build on. English whatever the interface language: it
 * is part of the teacher's instructions.
 */

export const SUMMARY_MAX_WORDS = 120;

export interface LearnerProfile {
  facts: readonly ProfileFact[];
  recurring: readonly RecurringMistake[];
  /** The sounds the learner works on (pronunciation practice), as the teacher should read them. */
  sounds: readonly string[];
  level: Level;
}

interface PointWords {
  name: string;
  /** How a teacher gives the learner a chance to use it. */
  chance: string;
}

const POINT_WORDS: Record<Exclude<GrammarPoint, 'other'>, PointWords> = {
  'past-simple': { name: 'the past simple', chance: 'ask about something they did' },
  'present-perfect': { name: 'the present perfect', chance: 'ask about their experiences so far' },
  'subject-verb-agreement': {
    name: 'subject–verb agreement',
    chance: 'ask about what someone else does or likes',
  },
  articles: { name: 'articles (a, an, the)', chance: 'ask them to describe a place or a thing' },
  prepositions: { name: 'prepositions', chance: 'ask where and when things happen' },
  plurals: { name: 'plural nouns', chance: 'ask about things they have more than one of' },
  comparatives: { name: 'comparatives', chance: 'ask them to compare two things' },
  'word-order': { name: 'word order', chance: 'ask a question that needs a longer answer' },
  pronouns: { name: 'pronouns', chance: 'ask about other people in their life' },
  'verb-forms': { name: 'verb forms', chance: 'ask what they like doing and want to do' },
  'countable-nouns': { name: 'countable and uncountable nouns', chance: 'ask about food or shopping' },
  questions: { name: 'forming questions', chance: 'invite them to ask you a question' },
};

export function grammarPointName(point: GrammarPoint): string {
  return point === 'other' ? 'other mistakes' : POINT_WORDS[point].name;
}

const FACT_LABELS: Record<ProfileFactKind, string> = {
  name: 'Name',
  job: 'Work',
  interests: 'Interests',
  goal: 'Goal',
  event: 'Coming up',
};

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The session's focus: the mistake that came back in the most conversations. */
export function sessionFocus(recurring: readonly RecurringMistake[]): string | null {
  const top = recurring.find((mistake) => mistake.point !== 'other');
  if (!top || top.point === 'other') return null;
  const words = POINT_WORDS[top.point];
  return `This session, give the learner two chances to use ${words.name} (for example, ${words.chance}), and recast it naturally if they get it wrong.`;
}

/**
 * The summary, most useful first — level, recurring mistakes, sounds, then facts, newest first —
 * and a part that would take it over SUMMARY_MAX_WORDS is left out.
 */
export function profileSummary(profile: LearnerProfile): string {
  const parts: string[] = [`Level: ${profile.level}.`];
  if (profile.recurring.length > 0) {
    const mistakes = profile.recurring
      .map((m) => `${grammarPointName(m.point)} (${m.count} times in ${m.sessions} conversations)`)
      .join(', ');
    parts.push(`Mistakes that keep coming back: ${mistakes}.`);
  }
  if (profile.sounds.length > 0) parts.push(`Sounds they are working on: ${profile.sounds.join(', ')}.`);
  const newestFirst = [...profile.facts].sort((a, b) => b.createdAt - a.createdAt);
  for (const fact of newestFirst) parts.push(`${FACT_LABELS[fact.kind]}: ${fact.text.replace(/[.\s]+$/, '')}.`);
  const kept: string[] = [];
  let words = 0;
  for (const part of parts) {
    const count = wordCount(part);
    if (words + count > SUMMARY_MAX_WORDS) continue;
    kept.push(part);
    words += count;
  }
  return kept.join(' ');
}

/** Something coming up, else a goal: what "How did the interview go?" can build on. */
export function openingFact(facts: readonly ProfileFact[]): string | null {
  const newest = (kind: ProfileFactKind) =>
    facts.filter((fact) => fact.kind === kind).sort((a, b) => b.createdAt - a.createdAt)[0];
  return (newest('event') ?? newest('goal'))?.text ?? null;
}

export function teacherMemory(profile: LearnerProfile): TeacherMemory {
  // The level alone is in the instructions already (or the learner wrote their own): a learner the
  // teacher knows nothing about yet costs no extra words in every request.
  const knowsSomething = profile.facts.length + profile.recurring.length + profile.sounds.length > 0;
  return {
    summary: knowsSomething ? profileSummary(profile) : '',
    focus: sessionFocus(profile.recurring),
    opening: openingFact(profile.facts),
  };
}
