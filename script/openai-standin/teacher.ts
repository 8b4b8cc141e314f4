/**
 * The stand-in's "teacher": a deterministic reply built from the request, shaped like what the real
 * teacher prompt produces (about 100 words, 5–6 sentences, a correction, a question) so the
 * extension's streaming, sentence splitting and memory can be tested without a model.
 */

import { DICTIONARY_MARK, NEW_PAGE_MARK, PAGE_CONTEXT_HEADING } from '../../features/page/prompt-marks.ts';

export interface TeacherMessage {
  role: string;
  content: string;
}

export const OPENING_QUESTION =
  'Hello, I am your English teacher, and I am happy to practise with you today. Please answer in full sentences, and take your time. What did you do last weekend, and who were you with?';

// Past-tense fixes for the classic mistake of a present verb after a time in the past.
const PAST_TENSE: Record<string, string> = {
  go: 'went',
  eat: 'ate',
  see: 'saw',
  have: 'had',
  buy: 'bought',
  is: 'was',
  are: 'were',
  do: 'did',
  play: 'played',
  visit: 'visited',
  watch: 'watched',
  meet: 'met',
  take: 'took',
  make: 'made',
  come: 'came',
  get: 'got',
  read: 'read',
  write: 'wrote',
  swim: 'swam',
  run: 'ran',
  drink: 'drank',
};
const PAST_MARKERS =
  /\b(yesterday|last (?:night|week|weekend|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|ago)\b/i;

export interface Correction {
  corrected: string;
  explanation: string;
}

export function correct(sentence: string): Correction | null {
  if (PAST_MARKERS.test(sentence)) {
    let changed: string | undefined;
    const corrected = sentence.replace(
      /\b(I|we|they|he|she|you|my \w+)\s+(\w+)\b/gi,
      (match, subject: string, verb: string) => {
        const past = PAST_TENSE[verb.toLowerCase()];
        if (!past || changed) return match;
        changed = `“${verb}” becomes “${past}”`;
        return `${subject} ${past}`;
      },
    );
    if (changed) return { corrected, explanation: `When you talk about the past, use the past tense, so ${changed}.` };
  }
  const agree = sentence.replace(
    /\b(I|we|they) am agree\b|\b(I|we|they) are agree\b/i,
    (_m, a?: string, b?: string) => `${a ?? b} agree`,
  );
  if (agree !== sentence)
    return { corrected: agree, explanation: '“Agree” is a verb, so we say “I agree”, not “I am agree”.' };
  const doesnt = sentence.replace(/\b(he|she|it) don't\b/i, (_m, subject: string) => `${subject} doesn't`);
  if (doesnt !== sentence)
    return { corrected: doesnt, explanation: 'With he, she and it we use “doesn’t”, not “don’t”.' };
  return null;
}

const FILLERS = [
  'You are expressing your ideas clearly, and your pronunciation is getting easier to follow every time you speak.',
  'Try to use linking words like because, so and although to join your ideas into longer sentences.',
  'Speaking a little every day is the best way to become confident, so keep practising with me.',
  'Remember that small mistakes are normal, and each one you notice helps you learn something new.',
];

/**
 * How a teacher often opens a reply: one long sentence of encouragement before the correction.
 * The bench uses it to measure that the learner hears its first clause without waiting for all of it.
 */
export const LONG_OPENING =
  'That is a really good start to your story about the weekend, and I could follow almost everything that you told me about it.';

export type ReplyStyle = 'correction-first' | 'long-opening';

const QUESTION = 'What was the best part of your day, and why did you enjoy it so much?';

function quote(text: string, maxWords = 25): string {
  const words = text.trim().split(/\s+/);
  return words.length > maxWords ? `${words.slice(0, maxWords).join(' ')}…` : text.trim();
}

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * The reply to a conversation. With no learner turn yet it is the opening question; otherwise it
 * corrects the latest turn, mentions the first one when there was an earlier turn (so memory is
 * visible), pads to about `targetWords`, and ends with a question. With the 'long-opening' style
 * it first praises the learner in one long sentence.
 */
export function teacherReply(
  messages: readonly TeacherMessage[],
  targetWords = 100,
  style: ReplyStyle = 'correction-first',
): string {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n');
  if (system.includes(DICTIONARY_MARK)) return dictionaryAnswer(messages);
  // The page the conversation is about (as a model given the page would), by its title line.
  const pageTitle = system.includes(PAGE_CONTEXT_HEADING) ? /<page>\nTitle: (.*)/.exec(system)?.[1]?.trim() : undefined;
  const last = messages.at(-1);
  if (pageTitle && last?.role === 'system' && last.content.startsWith(NEW_PAGE_MARK)) {
    return `Hello! I see you are reading “${pageTitle}”. What is the main idea of it, in your own words, and what do you think about it?`;
  }
  const learnerTurns = messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content.trim())
    .filter(Boolean);
  const latest = learnerTurns.at(-1);
  if (latest === undefined) return OPENING_QUESTION;

  const sentences: string[] = style === 'long-opening' ? [LONG_OPENING] : [];
  const fix = correct(latest);
  if (fix) {
    sentences.push(`You said: “${quote(latest)}” A better way to say it is: “${quote(fix.corrected)}”`);
    sentences.push(fix.explanation);
  } else {
    sentences.push(`You said: “${quote(latest)}” That sentence is correct, well done.`);
  }
  if (learnerTurns.length > 1) {
    sentences.push(`Earlier you told me: “${quote(learnerTurns[0] ?? '', 15)}” and I still remember it.`);
  }
  if (pageTitle) sentences.push(`Let us keep talking about “${pageTitle}”.`);
  const questionWords = countWords(QUESTION);
  let filler = 0;
  while (countWords(sentences.join(' ')) + questionWords < targetWords - 8) {
    sentences.push(FILLERS[filler % FILLERS.length] ?? '');
    filler += 1;
  }
  sentences.push(QUESTION);
  return sentences.join(' ');
}

/** A learner's-dictionary answer in the two labelled lines the extension asks for. */
function dictionaryAnswer(messages: readonly TeacherMessage[]): string {
  const asked = messages.findLast((m) => m.role === 'user')?.content ?? '';
  const phrase = /Word or phrase: (.*)/.exec(asked)?.[1]?.trim() ?? asked.trim();
  return `Meaning: “${phrase}” is a word or phrase used in the sentence you selected; here it means the idea the sentence is about.\nExample: I learned the phrase “${phrase}” while reading today.`;
}

/**
 * Splits text into model-like tokens: each word with its leading space, punctuation on its own.
 * Concatenating the tokens gives the text back exactly.
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}'’]+|\s*[^\s\p{L}\p{N}'’]|\s+$/gu) ?? [];
}
