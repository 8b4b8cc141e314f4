import { describe, expect, it } from 'vitest';
import type { ProfileFact, StoredCheck } from '@/core/db/schema';
import type { Correction, GrammarPoint } from '../corrections/correction-schema';
import { teacherInstructions, type TeacherChoice } from '../talk/teacher-prompt';
import { recurringMistakes, type RecurringMistake } from './recurring';
import { openingFact, profileSummary, sessionFocus, SUMMARY_MAX_WORDS, teacherMemory } from './teacher-memory';

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function fact(kind: ProfileFact['kind'], text: string, createdAt: number): ProfileFact {
  return { id: `${kind}-${createdAt}`, kind, text, createdAt, conversationId: 'c' };
}

function correction(grammarPoint?: GrammarPoint, kind: Correction['kind'] = 'grammar'): Correction {
  return { original: 'go', corrected: 'went', explanation: '', kind, ...(grammarPoint ? { grammarPoint } : {}) };
}

function check(conversationId: string, corrections: Correction[], extra: Partial<StoredCheck> = {}): StoredCheck {
  return {
    messageId: `${conversationId}-${Math.random()}`,
    conversationId,
    sentence: 'Yesterday I go',
    corrections,
    natural: '',
    dismissed: [],
    misheard: false,
    checkedAt: 1,
    ...extra,
  };
}

const PAST: RecurringMistake = { point: 'past-simple', sessions: 2, count: 3, lastAt: 5 };

describe('recurring mistakes', () => {
  it('are grammar points that came up in at least two conversations, most conversations first', () => {
    const checks = [
      check('c1', [correction('past-simple'), correction('articles')]),
      check('c1', [correction('past-simple'), correction('articles')]),
      check('c2', [correction('past-simple')]),
      check('c3', [correction('prepositions')]),
      check('c4', [correction('prepositions')]),
      check('c5', [correction('prepositions')]),
    ];
    expect(recurringMistakes(checks).map((m) => [m.point, m.sessions, m.count])).toEqual([
      ['prepositions', 3, 3],
      ['past-simple', 2, 3],
    ]);
  });

  it('leave out dismissed corrections, possible mishearings, and untagged or "other" ones', () => {
    const checks = [
      check('c1', [correction('articles')], { dismissed: [0], misheard: true }),
      check('c2', [correction('articles')]),
      check('c1', [correction('plurals', 'possibly_misheard')]),
      check('c2', [correction('plurals', 'possibly_misheard')]),
      check('c1', [correction()]),
      check('c2', [correction('other')]),
    ];
    expect(recurringMistakes(checks)).toEqual([]);
  });
});

describe('what the teacher is told of the profile', () => {
  it('keeps the summary at 120 words however much is remembered, the most useful first', () => {
    const long = 'enjoys long walks along the river with friends on sunny weekend afternoons in spring and autumn';
    const facts = Array.from({ length: 30 }, (_v, i) => fact('interests', `${long} number ${i}`, i));
    const recurring: RecurringMistake[] = [PAST, { point: 'articles', sessions: 2, count: 2, lastAt: 1 }];
    const summary = profileSummary({ facts, recurring, sounds: ['/θ/ as in think'], level: 'B2' });
    expect(words(summary)).toBeLessThanOrEqual(SUMMARY_MAX_WORDS);
    expect(words(summary)).toBeGreaterThan(SUMMARY_MAX_WORDS - 20);
    expect(summary).toMatch(
      /^Level: B2\. Mistakes that keep coming back: the past simple \(3 times in 2 conversations\), articles/,
    );
    expect(summary).toContain('Sounds they are working on: /θ/ as in think.');
    // The newest facts are the ones kept.
    expect(summary).toContain('number 29.');
    expect(summary).not.toContain('number 0.');
  });

  it('chooses the session’s focus from the mistake that came back most, and none without one', () => {
    expect(sessionFocus([PAST])).toBe(
      'This session, give the learner two chances to use the past simple (for example, ask about something they did), and recast it naturally if they get it wrong.',
    );
    expect(sessionFocus([])).toBeNull();
  });

  it('lets the opening build on something coming up, else a goal', () => {
    const facts = [fact('goal', 'Wants to pass IELTS', 1), fact('event', 'Has a job interview on Friday', 2)];
    expect(openingFact(facts)).toBe('Has a job interview on Friday');
    expect(openingFact([fact('goal', 'Wants to pass IELTS', 1), fact('job', 'Works as a nurse', 3)])).toBe(
      'Wants to pass IELTS',
    );
    expect(openingFact([fact('name', 'Is called Li', 1)])).toBeNull();
  });
});

describe('the teacher’s instructions with memory', () => {
  const choice: TeacherChoice = {
    level: 'B1',
    scenario: 'free',
    ownTopic: '',
    style: 'shaped',
    customInstructions: '',
    explanationLanguage: 'en',
  };
  const memory = teacherMemory({
    facts: [fact('event', 'Has a job interview on Friday', 1)],
    recurring: [PAST],
    sounds: [],
    level: 'B1',
  });

  it('carry the summary, the focus and the opening, and say not to recite them', () => {
    const prompt = teacherInstructions({ ...choice, memory });
    expect(prompt).toContain('What you remember about this learner from earlier conversations: Level: B1.');
    expect(prompt).toContain('Never recite it');
    expect(prompt).toContain('two chances to use the past simple');
    expect(prompt).toContain('Earlier the learner told you: "Has a job interview on Friday".');
  });

  it('add nothing while the teacher knows nothing of the learner', () => {
    const empty = teacherMemory({ facts: [], recurring: [], sounds: [], level: 'B1' });
    expect(teacherInstructions({ ...choice, memory: empty })).toBe(teacherInstructions(choice));
  });

  it('are unchanged without memory, whatever the teacher style', () => {
    for (const style of ['shaped', 'original', 'custom'] as const) {
      const without = teacherInstructions({ ...choice, style, customInstructions: 'Be kind.' });
      expect(without).not.toMatch(/remember|This session|Earlier the learner/);
      expect(teacherInstructions({ ...choice, style, customInstructions: 'Be kind.', memory })).toContain(
        'This session',
      );
    }
  });
});
