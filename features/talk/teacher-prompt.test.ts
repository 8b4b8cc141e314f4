import { describe, expect, it } from 'vitest';
import {
  LEVELS,
  ORIGINAL_TEACHER_PROMPT,
  SCENARIOS,
  levelVoiceSpeed,
  teacherInstructions,
  type TeacherChoice,
} from './teacher-prompt';

const base: TeacherChoice = {
  level: 'B1',
  scenario: 'free',
  ownTopic: '',
  style: 'shaped',
  customInstructions: '',
  explanationLanguage: 'en',
};

describe('what the teacher is told', () => {
  it('changes with the level: simpler words and shorter sentences for A2, richer for C1', () => {
    const a2 = teacherInstructions({ ...base, level: 'A2' });
    const c1 = teacherInstructions({ ...base, level: 'C1' });
    expect(a2).toContain('CEFR A2');
    expect(a2).toMatch(/most common everyday words/);
    expect(c1).toContain('CEFR C1');
    expect(c1).toMatch(/idiomatic/);
    expect(new Set(LEVELS.map((level) => teacherInstructions({ ...base, level }))).size).toBe(LEVELS.length);
  });

  it('asks for spoken replies of 2–4 sentences, not 100 words', () => {
    for (const level of LEVELS) {
      const prompt = teacherInstructions({ ...base, level });
      expect(prompt).toMatch(/Reply in 2 (or 3|to 4)/);
      expect(prompt).not.toMatch(/100 words/);
    }
  });

  it('changes with the scenario: the role and the opening question', () => {
    const interview = teacherInstructions({ ...base, scenario: 'jobInterview' });
    expect(interview).toMatch(/hiring manager/);
    expect(interview).toMatch(/telling me a little about yourself/);
    const doctor = teacherInstructions({ ...base, scenario: 'doctor' });
    expect(doctor).toMatch(/family doctor/);
    const ielts2 = teacherInstructions({ ...base, scenario: 'ielts2' });
    expect(ielts2).toMatch(/Part 2/);
    expect(new Set(SCENARIOS.map((scenario) => teacherInstructions({ ...base, scenario }))).size).toBe(
      SCENARIOS.length,
    );
  });

  it('keeps the learner’s own topic', () => {
    expect(teacherInstructions({ ...base, scenario: 'own', ownTopic: 'Formula 1 racing' })).toContain(
      'Formula 1 racing',
    );
  });

  it('offers the original AITalk prompt as the strict-teacher preset, and the learner’s own instructions', () => {
    expect(teacherInstructions({ ...base, style: 'original', level: 'A2' })).toBe(ORIGINAL_TEACHER_PROMPT);
    expect(teacherInstructions({ ...base, style: 'custom', customInstructions: ' Talk like a pirate. ' })).toBe(
      'Talk like a pirate.',
    );
    // Empty own instructions would leave the teacher without any: the shaped teacher steps in.
    expect(teacherInstructions({ ...base, style: 'custom', customInstructions: '  ' })).toContain('CEFR B1');
  });

  it('slows the voice for lower levels', () => {
    expect(levelVoiceSpeed('A2')).toBeLessThan(levelVoiceSpeed('B1'));
    expect(levelVoiceSpeed('B1')).toBeLessThan(levelVoiceSpeed('B2'));
    expect(levelVoiceSpeed('B2')).toBeLessThanOrEqual(levelVoiceSpeed('C1'));
  });
});
