import type { ExplanationLanguage } from '../corrections/correction-schema';

/**
 * What the teacher is told: a system message built from the learner's level and what they want to
 * practise. Replies are heard, not read, so they stay short (2–4 sentences); the level sets the
 * words, the sentence length and how fast the voice speaks; the scenario sets the role the teacher
 * plays and the question it opens with. The prompt is English whatever the interface language:
 * the model is talking English with an English learner.
 */

export const LEVELS = ['A2', 'B1', 'B2', 'C1'] as const;
export type Level = (typeof LEVELS)[number];

export const SCENARIOS = [
  'free',
  'smallTalk',
  'jobInterview',
  'ielts1',
  'ielts2',
  'ielts3',
  'travel',
  'doctor',
  'systemDesign',
  'own',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Shaped by level and scenario (the default), the original AITalk prompt, or the learner's own. */
export const TEACHER_STYLES = ['shaped', 'original', 'custom'] as const;
export type TeacherStyle = (typeof TEACHER_STYLES)[number];

/** The prompt AITalk started with (2023): kept as the "Strict teacher" preset. */
export const ORIGINAL_TEACHER_PROMPT =
  "I want you to act as a spoken English teacher and improver. I will speak to you in English and you will reply to me in English to practice my spoken English. I want you to keep your reply neat, limiting the reply to 100 words. I want you to strictly correct my grammar mistakes, typos, and factual errors. I want you to ask me a question in your reply. Now let's start practicing, you could ask me a question first. Remember, I want you to strictly correct my grammar mistakes, typos, and factual errors.";

interface LevelProfile {
  learner: string;
  words: string;
  sentences: string;
  reply: string;
  /** Multiplies the learner's speaking-speed setting: slower voices for lower levels. */
  voiceSpeed: number;
}

const LEVEL_PROFILES: Record<Level, LevelProfile> = {
  A2: {
    learner: 'an elementary learner (CEFR A2)',
    words: 'Use only the most common everyday words; no idioms or phrasal verbs unless you explain them.',
    sentences: 'Keep every sentence short and simple: one idea, about 8 words, present and past simple.',
    reply: 'Reply in 2 or 3 short sentences.',
    voiceSpeed: 0.85,
  },
  B1: {
    learner: 'an intermediate learner (CEFR B1)',
    words: 'Use common words and a few useful phrases; avoid rare words and idioms.',
    sentences: 'Keep sentences short, about 12 words, with at most one linking word each.',
    reply: 'Reply in 2 to 4 sentences.',
    voiceSpeed: 0.92,
  },
  B2: {
    learner: 'an upper-intermediate learner (CEFR B2)',
    words: 'Use natural everyday English, including common idioms and phrasal verbs.',
    sentences: 'Use sentences of natural length, about 15 words.',
    reply: 'Reply in 2 to 4 sentences.',
    voiceSpeed: 1,
  },
  C1: {
    learner: 'an advanced learner (CEFR C1)',
    words: 'Use rich, precise, idiomatic English as you would with a fluent colleague.',
    sentences: 'Sentences may be as long and complex as natural speech.',
    reply: 'Reply in 2 to 4 sentences; go deeper rather than longer.',
    voiceSpeed: 1.05,
  },
};

interface ScenarioProfile {
  role: string;
  opening: string;
}

const SCENARIO_PROFILES: Record<Exclude<Scenario, 'own'>, ScenarioProfile> = {
  free: {
    role: 'You are a friendly English conversation partner. Talk about whatever the learner brings up.',
    opening: 'What did you do last weekend?',
  },
  smallTalk: {
    role: 'You are a friendly colleague chatting by the coffee machine: weather, weekend plans, hobbies, food.',
    opening: 'Hi! Have you got any plans for the weekend?',
  },
  jobInterview: {
    role: 'You are a hiring manager interviewing the learner for a job they want. Ask one interview question at a time, follow up on their answers, and stay professional and encouraging.',
    opening: 'Thanks for coming in today. Could you start by telling me a little about yourself?',
  },
  ielts1: {
    role: 'You are an IELTS Speaking examiner running Part 1: short questions about familiar topics (home, work or study, hobbies, daily routine). One question at a time.',
    opening: 'Let’s talk about where you live. Do you live in a house or an apartment?',
  },
  ielts2: {
    role: 'You are an IELTS Speaking examiner running Part 2: give the learner a cue card topic with three or four prompts, ask them to speak for one to two minutes, then ask one or two short follow-up questions.',
    opening:
      'Describe a place you visited that you would like to go back to. Say where it is, when you went, what you did there, and why you would like to return.',
  },
  ielts3: {
    role: 'You are an IELTS Speaking examiner running Part 3: abstract discussion questions that ask the learner to explain, compare and give reasons. One question at a time.',
    opening: 'Why do you think some people prefer to travel abroad rather than in their own country?',
  },
  travel: {
    role: 'You play the people a traveller meets: a hotel receptionist, a ticket seller, a waiter, a passer-by giving directions. Say who you are when the situation changes.',
    opening: 'Good evening, welcome to the Harbour Hotel. Do you have a reservation?',
  },
  doctor: {
    role: 'You are a kind family doctor seeing the learner as a patient. Ask about their symptoms, how long they have had them, and give simple advice.',
    opening: 'Hello, please have a seat. What seems to be the problem today?',
  },
  systemDesign: {
    role: 'You are an interviewer running a system-design interview for a software engineer. Give a design problem, ask about requirements, components, trade-offs and scaling, one question at a time.',
    opening: 'Let’s design a URL shortener like bit.ly. What requirements would you clarify first?',
  },
};

const EXPLANATION_NAMES: Record<ExplanationLanguage, string> = { en: 'English', 'zh-CN': 'Simplified Chinese' };

/**
 * What the teacher remembers of the learner (features/memory/teacher-memory.ts), absent when memory
 * is off: a summary of the profile, a focus for this session, a fact the opening may build on.
 */
export interface TeacherMemory {
  summary: string;
  focus: string | null;
  opening: string | null;
}

export interface TeacherChoice {
  level: Level;
  scenario: Scenario;
  /** The learner's own topic, for the scenario "own". */
  ownTopic: string;
  style: TeacherStyle;
  /** The learner's own instructions, for the style "custom". */
  customInstructions: string;
  explanationLanguage: ExplanationLanguage;
  memory?: TeacherMemory | null;
}

/**
 * The memory's lines. The learner chose to share these facts, but hearing them read back feels
 * like surveillance, not a teacher who remembers: the teacher is told to use them, never recite them.
 */
function memoryLines(memory: TeacherMemory | null | undefined): string[] {
  if (!memory) return [];
  const lines: string[] = [];
  if (memory.summary.trim()) {
    lines.push(
      `What you remember about this learner from earlier conversations: ${memory.summary.trim()}`,
      'Use this only where it helps the conversation. Never recite it, list it or say that you keep notes.',
    );
  }
  if (memory.focus) lines.push(memory.focus);
  if (memory.opening) {
    lines.push(
      `Earlier the learner told you: ${JSON.stringify(memory.opening)}. If the conversation has not started yet, you may open with a question that builds on it instead (for example, how it went).`,
    );
  }
  return lines;
}

function scenarioProfile(scenario: Scenario, ownTopic: string): ScenarioProfile {
  if (scenario !== 'own') return SCENARIO_PROFILES[scenario];
  const topic = ownTopic.trim() || 'a topic the learner chooses';
  return {
    role: `You are a friendly English conversation partner. The learner wants to practise talking about: ${topic}. Keep the conversation on that topic.`,
    opening: `Ask an opening question about ${topic}.`,
  };
}

/** The system message the teacher gets at the start of every request. */
export function teacherInstructions(choice: TeacherChoice): string {
  const memory = memoryLines(choice.memory);
  if (choice.style === 'original') return [ORIGINAL_TEACHER_PROMPT, ...memory].join('\n');
  if (choice.style === 'custom' && choice.customInstructions.trim())
    return [choice.customInstructions.trim(), ...memory].join('\n');
  const level = LEVEL_PROFILES[choice.level];
  const scenario = scenarioProfile(choice.scenario, choice.ownTopic);
  const opening =
    choice.scenario === 'own'
      ? scenario.opening
      : `If the conversation has not started yet, open with: "${scenario.opening}"`;
  return [
    `You are helping ${level.learner} practise spoken English. ${scenario.role}`,
    `Your replies are spoken aloud and heard, not read: ${level.reply} No lists, no headings, no emoji, no markdown.`,
    level.words,
    level.sentences,
    'End most replies with one question that keeps the learner talking.',
    'When the learner makes a mistake that matters, repeat their idea correctly in your reply (a recast) without lecturing; do not correct every small slip.',
    `If the learner asks what a word means or how to say something, explain briefly${choice.explanationLanguage === 'en' ? '' : ` (in ${EXPLANATION_NAMES[choice.explanationLanguage]} if they ask in it)`}, then continue in English.`,
    opening,
    ...memory,
  ].join('\n');
}

/** How fast the voice speaks at a level, as a factor of the learner's own speed setting. */
export function levelVoiceSpeed(level: Level): number {
  return LEVEL_PROFILES[level].voiceSpeed;
}

/** The opening question of a scenario (the learner's own topic has none fixed). */
export function openingQuestion(scenario: Scenario): string | null {
  return scenario === 'own' ? null : SCENARIO_PROFILES[scenario].opening;
}
