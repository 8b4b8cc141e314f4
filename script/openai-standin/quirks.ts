/** How the stand-in imitates servers that are OpenAI-compatible, but not quite OpenAI. */

/**
 * Ways real OpenAI-compatible servers differ from OpenAI, each imitated on request so the client
 * is tested against all of them.
 */
export type StandinQuirk =
  /** 400 "Unrecognized request argument supplied: stream_options" (older vLLM, some proxies). */
  | 'no-stream-options'
  /** 400 on language, prompt, temperature, timestamp_granularities or verbose_json (bare transcription servers). */
  | 'no-transcription-options'
  /** 400 on verbose_json and timestamp_granularities only (json-only models). */
  | 'no-verbose-json'
  /** SSE lines written `data:{…}`, without the space. */
  | 'data-no-space'
  /** After a few tokens, `data: {"error": {…}}` and the stream ends (no [DONE]). */
  | 'error-in-stream'
  /** A last chunk with only `usage` (no `choices` at all), even when not asked for. */
  | 'usage-only-final-chunk'
  /** A reasoning model: `reasoning_content` deltas stream before the reply's content. */
  | 'reasoning-content';

export const STANDIN_QUIRKS: readonly StandinQuirk[] = [
  'no-stream-options',
  'no-transcription-options',
  'no-verbose-json',
  'data-no-space',
  'error-in-stream',
  'usage-only-final-chunk',
  'reasoning-content',
];

/** What the server does: everything (OpenAI, Groq), only chat (DeepSeek, Ollama), only transcription (Speaches). */
export type StandinServes = 'all' | 'chat' | 'transcription';

/** What the 'reasoning-content' quirk thinks aloud before answering; never to be spoken. */
export const REASONING = 'Okay, the learner used the present tense for a past event. I should correct it gently. ';

export const asArray = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Word timings for verbose_json. pocketsphinx here only says which sentence was spoken, so the
 * words are spread over the span where there was sound, in proportion to their length: real
 * start and end of speech, approximate times inside it.
 */
export function spreadWords(
  text: string,
  start: number,
  end: number,
): Array<{ word: string; start: number; end: number }> {
  const list = text.split(/\s+/).filter(Boolean);
  const total = list.reduce((sum, word) => sum + word.length + 1, 0);
  let at = start;
  return list.map((word) => {
    const length = ((word.length + 1) / total) * (end - start);
    const timed = { word: word.replace(/[.,!?;:]+$/, ''), start: round(at), end: round(at + length) };
    at += length;
    return timed;
  });
}

const round = (seconds: number) => Math.round(seconds * 100) / 100;
