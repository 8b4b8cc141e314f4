/**
 * OpenAI's built-in voice names. Clients written for OpenAI send them by default (the SDK's examples use
 * "alloy"), so every engine maps each of them to one of its own voices rather than answering 400; the tables are
 * in each engine and in companion-server/README.md ("OpenAI names").
 */
export const OPENAI_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
  'verse',
] as const;
export type OpenAIVoice = (typeof OPENAI_VOICES)[number];

/** OpenAI's speech models; whichever a client names, the companion speaks with its own engine's model. */
export const OPENAI_SPEECH_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'] as const;

export function isOpenAIVoice(voice: string): voice is OpenAIVoice {
  return (OPENAI_VOICES as readonly string[]).includes(voice);
}

/** For engines whose voices are a list of speakers: OpenAI's names in their fixed order, round the list. */
export function nthVoice(voice: OpenAIVoice, ids: readonly string[], fallback: string): string {
  if (ids.length === 0) return fallback;
  return ids[OPENAI_VOICES.indexOf(voice) % ids.length]!;
}
