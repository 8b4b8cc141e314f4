import { REPLY_OPENING_CLAUSE_MIN_WORDS, SentenceStream } from '../../common/sentence-splitter.ts';

/**
 * The reference measurements taken from Node against the same servers the extension used: the
 * same chat request streamed to its end (the sequential design waited for all of it) and to its
 * first complete sentence (the critical path of the streamed design), and the companion's time to
 * synthesise a text completely (cache off, so these are real syntheses).
 */

export interface ChatStreamTiming {
  /** From sending the request to the chunk that completed the first sentence. */
  firstSentenceMs: number;
  firstSentence: string;
  /** When the first sentence was complete as a whole (without speaking its first clause alone). */
  wholeFirstSentenceMs: number;
  wholeFirstSentence: string;
  /** From sending the request to `data: [DONE]`. */
  doneMs: number;
  reply: string;
}

export async function streamChat(baseUrl: string, apiKey: string, body: unknown): Promise<ChatStreamTiming> {
  const sentAt = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  if (!response.ok || !response.body)
    throw new Error(`chat request failed: ${response.status} ${await response.text()}`);
  // Split as the extension splits the teacher's reply (features/talk/teacher-reply.ts).
  const splitter = new SentenceStream({ firstClauseMinWords: REPLY_OPENING_CLAUSE_MIN_WORDS });
  const wholeSplitter = new SentenceStream({ firstClause: false });
  let wholeFirstSentence: string | undefined;
  let wholeFirstSentenceMs = Number.NaN;
  const decoder = new TextDecoder();
  let buffer = '';
  let reply = '';
  let firstSentence: string | undefined;
  let firstSentenceMs = Number.NaN;
  let doneMs = Number.NaN;
  const onDelta = (delta: string) => {
    reply += delta;
    const sentences = splitter.push(delta);
    const whole = wholeSplitter.push(delta);
    if (wholeFirstSentence === undefined && whole.length > 0) {
      wholeFirstSentence = whole[0];
      wholeFirstSentenceMs = performance.now() - sentAt;
    }
    if (firstSentence === undefined && sentences.length > 0) {
      firstSentence = sentences[0];
      firstSentenceMs = performance.now() - sentAt;
    }
  };
  const reader = response.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') {
          doneMs = performance.now() - sentAt;
          continue;
        }
        const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }> };
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) onDelta(delta);
      }
    }
  }
  if (firstSentence === undefined) {
    // A reply without any sentence boundary is spoken whole once the stream ends.
    firstSentence = splitter.flush()[0] ?? '';
    firstSentenceMs = doneMs;
  }
  if (wholeFirstSentence === undefined) {
    wholeFirstSentence = wholeSplitter.flush()[0] ?? '';
    wholeFirstSentenceMs = doneMs;
  }
  if (!Number.isFinite(doneMs)) throw new Error('the chat stream ended without data: [DONE]');
  return { firstSentenceMs, firstSentence, wholeFirstSentenceMs, wholeFirstSentence, doneMs, reply };
}

export interface SpeechTarget {
  url: string;
  voice: string;
  speed: number;
}

/** POSTs `text` as the extension does (WAV) and waits for the last byte; returns ms and bytes. */
export async function synthesize(companion: SpeechTarget, text: string): Promise<{ ms: number; bytes: number }> {
  const body: Record<string, string | number> = { model: 'tts-1', input: text, response_format: 'wav' };
  if (companion.voice) body.voice = companion.voice;
  if (companion.speed > 0) body.speed = companion.speed;
  const sentAt = performance.now();
  const response = await fetch(`${companion.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the companion answered ${response.status}: ${await response.text()}`);
  if (response.headers.get('x-cache') === 'hit')
    throw new Error('the companion answered from its cache; the bench needs real syntheses');
  const audio = await response.arrayBuffer();
  return { ms: performance.now() - sentAt, bytes: audio.byteLength };
}
