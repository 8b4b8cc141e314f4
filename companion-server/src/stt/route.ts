import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';
import type { SttEngine, Transcript } from './engine.ts';

export const TRANSCRIPTION_FORMATS = ['json', 'text', 'verbose_json'] as const;
export type TranscriptionFormat = (typeof TRANSCRIPTION_FORMATS)[number];
const GRANULARITIES = ['word', 'segment'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** OpenAI's verbose_json names the language in words; Whisper's detector gives the code. */
const LANGUAGE_NAMES: Record<string, string> = { en: 'english' };

/** OpenAI's own upload limit, so a client that works with it works here. */
export const DEFAULT_STT_MAX_MB = 25;
/** Multipart framing and the short fields around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

interface ParsedTranscription {
  audio: Buffer;
  language: string;
  prompt: string | null;
  temperature: number;
  format: TranscriptionFormat;
  granularities: Granularity[];
}

function invalid(message: string, param: string | null = null): ApiError {
  return new ApiError(400, 'invalid_request_error', message, param ? { param } : {});
}

function optionalString(form: FormData, name: string): string | null {
  const value = form.get(name);
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(`"${name}" must be a text field, not a file.`, name);
  return value;
}

async function parseTranscription(c: Context, stt: SttEngine | null): Promise<ParsedTranscription> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw invalid(
      'Send the audio as multipart/form-data with a "file" field (and "model"), as OpenAI\'s transcription API takes it.',
    );
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    throw invalid('The multipart body could not be read: send it again as multipart/form-data with a "file" field.');
  }
  const file = form.get('file');
  if (file === null) throw invalid('"file" is required: the recording to transcribe.', 'file');
  if (typeof file === 'string') throw invalid('"file" must be a file upload, not a text field.', 'file');
  if (file.size === 0) throw invalid('"file" is empty: there is nothing to transcribe; record again.', 'file');

  optionalString(form, 'model');
  const language = (optionalString(form, 'language') ?? '').trim().toLowerCase() || 'en';
  if (stt && stt.status().state === 'ready' && !stt.acceptsLanguage(language)) {
    throw invalid(
      `"language" ${JSON.stringify(language)} is not available: this Whisper model transcribes English only; send "en".`,
      'language',
    );
  }
  const prompt = optionalString(form, 'prompt');
  const rawTemperature = optionalString(form, 'temperature');
  let temperature = 0;
  if (rawTemperature !== null && rawTemperature.trim() !== '') {
    temperature = Number(rawTemperature);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 1) {
      throw invalid('"temperature" must be a number from 0 to 1 (0 transcribes most literally).', 'temperature');
    }
  }
  const format = optionalString(form, 'response_format') ?? 'json';
  if (!(TRANSCRIPTION_FORMATS as readonly string[]).includes(format)) {
    throw invalid(
      `"response_format" ${JSON.stringify(format)} is not supported by the companion; use one of ` +
        `${TRANSCRIPTION_FORMATS.join(', ')}.`,
      'response_format',
    );
  }
  const granularities = [...form.getAll('timestamp_granularities[]'), ...form.getAll('timestamp_granularities')];
  for (const granularity of granularities) {
    if (typeof granularity !== 'string' || !(GRANULARITIES as readonly string[]).includes(granularity)) {
      throw invalid(
        `"timestamp_granularities[]" takes "word" and/or "segment", got ${JSON.stringify(
          typeof granularity === 'string' ? granularity : 'a file',
        )}.`,
        'timestamp_granularities[]',
      );
    }
  }
  const stream = optionalString(form, 'stream');
  if (stream !== null && stream !== 'false') {
    throw invalid('"stream" is not supported: the companion answers with the whole transcript.', 'stream');
  }
  return {
    audio: Buffer.from(await file.arrayBuffer()),
    language,
    prompt: prompt !== null && prompt.trim() !== '' ? prompt : null,
    temperature,
    format: format as TranscriptionFormat,
    granularities: granularities as Granularity[],
  };
}

function verboseJson(transcript: Transcript, granularities: Granularity[]) {
  const wants = (granularity: Granularity): boolean =>
    granularities.length === 0
      ? granularity === 'segment' || granularity === 'word'
      : granularities.includes(granularity);
  return {
    task: 'transcribe',
    language: LANGUAGE_NAMES[transcript.language] ?? transcript.language,
    duration: transcript.duration,
    text: transcript.text,
    ...(wants('segment') ? { segments: transcript.segments } : {}),
    ...(wants('word') ? { words: transcript.words.map(({ word, start, end }) => ({ word, start, end })) } : {}),
  };
}

/** The answer in OpenAI's shape for `format`. */
export function transcriptResponse(
  c: Context,
  transcript: Transcript,
  format: TranscriptionFormat,
  granularities: Granularity[],
): Response {
  if (format === 'text') {
    return new Response(`${transcript.text}\n`, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  if (format === 'json') return c.json({ text: transcript.text });
  return c.json(verboseJson(transcript, granularities));
}

export interface TranscriptionRouteOptions {
  stt: SttEngine | null;
  maxBytes: number;
}

/**
 * POST /v1/audio/transcriptions, as OpenAI's: the guard in front of every route (loopback Host, AITalk's origin,
 * the token) has already run. Bad uploads are refused before they reach the worker where they can be (no file, an
 * empty one, a wrong field); what only decoding can tell (not audio at all) comes back from the worker as a 400.
 */
export function transcriptionHandlers(options: TranscriptionRouteOptions) {
  const { stt, maxBytes } = options;
  const limit = bodyLimit({
    maxSize: maxBytes + FORM_OVERHEAD_BYTES,
    onError: () =>
      new ApiError(
        413,
        'request_too_large',
        `The upload is over ${Math.round(maxBytes / 1024 / 1024)} MB, the companion's limit: send a shorter ` +
          `recording, or start the companion with a larger --stt-max-mb.`,
      ).toResponse(),
  });
  const handler = async (c: Context): Promise<Response> => {
    if (!stt) {
      throw new ApiError(
        404,
        'not_found_error',
        'Transcription is off in this companion: start it with --stt (npm run companion -- --stt).',
      );
    }
    const clientSignal = c.req.raw.signal;
    const request = await parseTranscription(c, stt);
    const transcript = await stt.transcribe(
      {
        audio: request.audio,
        language: request.language,
        prompt: request.prompt,
        temperature: request.temperature,
        words: request.format === 'verbose_json',
      },
      clientSignal,
    );
    return transcriptResponse(c, transcript, request.format, request.granularities);
  };
  return [limit, handler] as const;
}
