import type { ChatCompletionCreateParamsNonStreaming, ResponseFormatJSONSchema } from 'openai/resources';

/**
 * The corrections contract: what we ask the chat model for about one learner sentence, the strict
 * JSON Schema of its answer, and the check of what actually came back. Pure (no browser, no network)
 * so the extension, the stand-in's contract test and the bench share one definition.
 */

export const CORRECTION_KINDS = ['grammar', 'word_choice', 'word_order', 'naturalness', 'possibly_misheard'] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

export const KIND_LABELS: Record<CorrectionKind, string> = {
  grammar: 'Grammar',
  word_choice: 'Word choice',
  word_order: 'Word order',
  naturalness: 'Naturalness',
  possibly_misheard: 'Possibly misheard',
};

/**
 * The grammar point a correction is about: what the learner's profile counts across sessions
 * (features/memory/recurring.ts) to find the mistakes that keep coming back. A fixed list, so the same
 * point is one value whatever words the model would have chosen; anything else is 'other'.
 */
export const GRAMMAR_POINTS = [
  'past-simple',
  'present-perfect',
  'subject-verb-agreement',
  'articles',
  'prepositions',
  'plurals',
  'comparatives',
  'word-order',
  'pronouns',
  'verb-forms',
  'countable-nouns',
  'questions',
  'other',
] as const;
export type GrammarPoint = (typeof GRAMMAR_POINTS)[number];

/** An unknown or missing point (json_object and plain answers, corrections kept before there were points). */
export function toGrammarPoint(value: unknown): GrammarPoint {
  return typeof value === 'string' && (GRAMMAR_POINTS as readonly string[]).includes(value)
    ? (value as GrammarPoint)
    : 'other';
}

export function grammarPointOf(correction: Pick<Correction, 'grammarPoint'>): GrammarPoint {
  return toGrammarPoint(correction.grammarPoint);
}

export type ExplanationLanguage = 'en' | 'zh-CN';
export const EXPLANATION_LANGUAGES: Record<ExplanationLanguage, string> = { en: 'English', 'zh-CN': '简体中文' };

/** How a server is asked for structured output, best first. */
export type StructuredMode = 'json_schema' | 'json_object' | 'plain';
export const STRUCTURED_MODES: readonly StructuredMode[] = ['json_schema', 'json_object', 'plain'];

export interface Correction {
  /** The learner's words, verbatim: the shortest part of the sentence that holds the mistake. */
  original: string;
  corrected: string;
  explanation: string;
  kind: CorrectionKind;
  /** Absent on corrections kept before grammar points were asked for: they count as 'other'. */
  grammarPoint?: GrammarPoint;
}

/** A checked sentence: only corrections whose `original` really is in the sentence survive. */
export interface SentenceCheck {
  sentence: string;
  corrections: Correction[];
  /** The whole sentence as a native speaker would say it (separate from the minimal fixes). */
  natural: string;
  /** Corrections the model returned that quote words the learner did not say, left out. */
  dropped: number;
}

export const SCHEMA_NAME = 'learner_corrections';

/** Strict mode: every object closed and every property required (OpenAI refuses the schema otherwise). */
export const CORRECTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['corrections', 'natural'],
  properties: {
    corrections: {
      type: 'array',
      description:
        'The smallest fixes that make the sentence correct, one per mistake; empty when it is already correct.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['original', 'corrected', 'explanation', 'kind', 'grammar_point'],
        properties: {
          original: {
            type: 'string',
            description: "The learner's words containing the mistake, copied exactly from the sentence.",
          },
          corrected: { type: 'string', description: 'What replaces `original`.' },
          explanation: {
            type: 'string',
            description: 'Why, in one or two short sentences, in the requested language.',
          },
          kind: { type: 'string', enum: [...CORRECTION_KINDS] },
          grammar_point: {
            type: 'string',
            description: 'The grammar point the mistake is about; other when none of the list fits.',
            enum: [...GRAMMAR_POINTS],
          },
        },
      },
    },
    natural: { type: 'string', description: 'How a native speaker would naturally say the whole sentence.' },
  },
} as const;

export interface CorrectionsInput {
  sentence: string;
  /** What the teacher said just before, so the check understands the context (e.g. a question's tense). */
  previousTeacherLine?: string;
  explanationLanguage: ExplanationLanguage;
}

const LANGUAGE_IN_PROMPT: Record<ExplanationLanguage, string> = {
  en: 'English',
  'zh-CN': 'Simplified Chinese (简体中文)',
};

export function correctionsInstructions(language: ExplanationLanguage): string {
  return [
    'You check one sentence that an English learner said aloud in a conversation with their teacher. Speech recognition wrote it down, so ignore punctuation and capital letters.',
    'Return "corrections": the smallest changes that make the sentence correct English, one item per mistake.',
    '- "original" is copied exactly, word for word, from the learner\'s sentence: the shortest part that contains the mistake (at least one word).',
    '- "corrected" is what replaces "original". Change nothing that is already correct, and do not rewrite for style.',
    `- "explanation" says why in one or two short sentences, written in ${LANGUAGE_IN_PROMPT[language]}.`,
    `- "kind" is one of ${CORRECTION_KINDS.join(', ')}. Use naturalness only for phrasing a native speaker would never use, and possibly_misheard when a word makes no sense and is probably a speech-recognition mistake for a similar-sounding word.`,
    `- "grammar_point" is the grammar point the mistake is about, one of ${GRAMMAR_POINTS.join(', ')}; use other when none fits (e.g. a wrong word).`,
    'If you are not sure something is a mistake, leave it out. If the sentence is correct, return an empty "corrections" array.',
    'Return "natural": the whole sentence as a native speaker would naturally say it.',
  ].join('\n');
}

const EXAMPLE_ANSWER = {
  corrections: [
    {
      original: 'I go',
      corrected: 'I went',
      explanation: 'Use the past tense for yesterday.',
      kind: 'grammar',
      grammar_point: 'past-simple',
    },
  ],
  natural: 'Yesterday I went to the library.',
};

/** Instructions for servers without json_schema: they must contain the word "json" for json_object. */
function formatInstructions(mode: StructuredMode): string {
  if (mode === 'json_object') {
    return `Answer with one JSON object that matches this JSON Schema:\n${JSON.stringify(CORRECTIONS_SCHEMA)}`;
  }
  if (mode === 'plain') {
    return `Answer with only a JSON object, without any other text or code fence, shaped like this example for "Yesterday I go to the library":\n${JSON.stringify(EXAMPLE_ANSWER)}\nIt must match this JSON Schema:\n${JSON.stringify(CORRECTIONS_SCHEMA)}`;
  }
  // Servers that accept json_schema but ignore it still get an answer we can read.
  return 'Answer in JSON.';
}

export function correctionsUserMessage(input: CorrectionsInput): string {
  const lines: string[] = [];
  if (input.previousTeacherLine?.trim())
    lines.push(`Teacher's previous line: ${JSON.stringify(input.previousTeacherLine.trim())}`);
  lines.push(`Learner's sentence: ${JSON.stringify(input.sentence.trim())}`);
  return lines.join('\n');
}

export const JSON_SCHEMA_FORMAT: ResponseFormatJSONSchema = {
  type: 'json_schema',
  json_schema: {
    name: SCHEMA_NAME,
    description: 'Corrections of one sentence an English learner said, and a natural version of it.',
    strict: true,
    schema: CORRECTIONS_SCHEMA as unknown as Record<string, unknown>,
  },
};

/** The chat completion request for one mode (the json_schema one is made parseable by the caller). */
export function buildCorrectionsRequest(
  mode: StructuredMode,
  input: CorrectionsInput,
  model: string,
): ChatCompletionCreateParamsNonStreaming {
  const system = [correctionsInstructions(input.explanationLanguage), formatInstructions(mode)]
    .filter(Boolean)
    .join('\n\n');
  return {
    model,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: correctionsUserMessage(input) },
    ],
    ...(mode === 'json_schema' ? { response_format: JSON_SCHEMA_FORMAT } : {}),
    ...(mode === 'json_object' ? { response_format: { type: 'json_object' as const } } : {}),
  };
}

export type ParseResult = { ok: true; check: SentenceCheck } | { ok: false; problem: string };

/**
 * Plain-instruction answers sometimes come wrapped in a code fence or a sentence: take the outermost
 * {...} when the whole text is not JSON.
 */
export function extractJson(content: string): unknown {
  const text = content.trim();
  try {
    return JSON.parse(text);
  } catch {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end <= start) throw new SyntaxError('the answer holds no JSON object');
    return JSON.parse(text.slice(start, end + 1));
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks an answer against CORRECTIONS_SCHEMA by hand (Ajv compiles validators with `new Function`,
 * which an extension page's CSP forbids), then against the sentence: a correction whose `original`
 * is not in what the learner said is dropped rather than shown. `grammar_point` alone is not
 * required: servers without json_schema often leave it out, and it becomes 'other'.
 */
export function validateAnswer(value: unknown, sentence: string): ParseResult {
  if (!isRecord(value)) return { ok: false, problem: 'the answer is not a JSON object' };
  if (!Array.isArray(value.corrections)) return { ok: false, problem: '"corrections" is missing or not an array' };
  if (typeof value.natural !== 'string') return { ok: false, problem: '"natural" is missing or not a string' };
  const corrections: Correction[] = [];
  let dropped = 0;
  for (const [index, item] of value.corrections.entries()) {
    if (!isRecord(item)) return { ok: false, problem: `corrections[${index}] is not an object` };
    for (const field of ['original', 'corrected', 'explanation', 'kind'] as const) {
      if (typeof item[field] !== 'string')
        return { ok: false, problem: `corrections[${index}].${field} is missing or not a string` };
    }
    const kind = item.kind as string;
    if (!(CORRECTION_KINDS as readonly string[]).includes(kind)) {
      return {
        ok: false,
        problem: `corrections[${index}].kind "${kind}" is not one of ${CORRECTION_KINDS.join(', ')}`,
      };
    }
    const correction: Correction = {
      original: (item.original as string).trim(),
      corrected: (item.corrected as string).trim(),
      explanation: (item.explanation as string).trim(),
      kind: kind as CorrectionKind,
      // Lenient where the other fields are strict: a missing or unknown point loses nothing the card shows.
      grammarPoint: toGrammarPoint(item.grammar_point),
    };
    const noChange = correction.original.toLowerCase() === correction.corrected.toLowerCase();
    if (!correction.original || noChange || locate(sentence, correction.original, 0) === null) {
      dropped += 1;
      continue;
    }
    corrections.push(correction);
  }
  return { ok: true, check: { sentence, corrections, natural: value.natural.trim(), dropped } };
}

/** Parses and validates the text of a chat answer. */
export function parseAnswer(content: string | null | undefined, sentence: string): ParseResult {
  if (!content?.trim()) return { ok: false, problem: 'the answer was empty' };
  let value: unknown;
  try {
    value = extractJson(content);
  } catch (error) {
    return { ok: false, problem: `the answer is not JSON (${(error as Error).message})` };
  }
  return validateAnswer(value, sentence);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where `original` occurs in `sentence` at or after `from`, ignoring case and spacing, matched on
 * whole words (so "go" is not found inside "good").
 */
export function locate(sentence: string, original: string, from: number): { start: number; end: number } | null {
  const words = original.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  // Recognisers and models disagree on straight and curly apostrophes: either matches either.
  const body = words.map((word) => escapeRegExp(word).replace(/['’‘]/g, "['’‘]")).join('\\s+');
  const startsWithWord = /^[\p{L}\p{N}]/u.test(original.trim());
  const endsWithWord = /[\p{L}\p{N}]$/u.test(original.trim());
  const pattern = new RegExp(
    `${startsWithWord ? "(?<![\\p{L}\\p{N}'’])" : ''}${body}${endsWithWord ? '(?![\\p{L}\\p{N}])' : ''}`,
    'giu',
  );
  pattern.lastIndex = from;
  const match = pattern.exec(sentence);
  return match ? { start: match.index, end: match.index + match[0].length } : null;
}

/** The sentence with the given corrections applied left to right: the minimal corrected sentence. */
export function applyCorrections(sentence: string, corrections: readonly Correction[]): string {
  let result = sentence;
  let from = 0;
  for (const correction of corrections) {
    const at = locate(result, correction.original, from) ?? locate(result, correction.original, 0);
    if (!at) continue;
    result = `${result.slice(0, at.start)}${correction.corrected}${result.slice(at.end)}`;
    from = at.start + correction.corrected.length;
  }
  return result.replace(/\s{2,}/g, ' ').trim();
}
