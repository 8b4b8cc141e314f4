import OpenAI from 'openai';
import { ApiProblem, NO_KEY_MESSAGE, describeApiError, notCompatible, withRetry, type RetryOptions } from './api-errors';

/** Whisper refuses uploads over 25 MB. */
export const WHISPER_MAX_BYTES = 25 * 1024 * 1024;

export interface ApiConfig {
  apiKey: string;
  apiBaseUrl: string;
  transcriptionModel: string;
  chatModel: string;
}

export type ChatTurn = { role: 'system' | 'user' | 'assistant'; content: string };

export function createClient(config: ApiConfig): OpenAI {
  if (!config.apiKey.trim()) throw new ApiProblem('no-key', NO_KEY_MESSAGE);
  return new OpenAI({
    apiKey: config.apiKey.trim(),
    baseURL: config.apiBaseUrl,
    // The key is the learner's own, typed into their own browser, and sent only to their base URL.
    dangerouslyAllowBrowser: true,
    // Retries are ours (utils/api-errors.ts): the SDK would retry an exhausted quota.
    maxRetries: 0,
    timeout: 60_000,
  });
}

/** File name and type Whisper recognises; a bare Blob would be uploaded as "unknown_file". */
export function recordingFile(blob: Blob, mimeType: string): File {
  const extension = mimeType.includes('ogg') ? 'ogg' : mimeType.includes('mp4') ? 'm4a' : mimeType.includes('wav') ? 'wav' : 'webm';
  return new File([blob], `recording.${extension}`, { type: mimeType.split(';')[0] || 'audio/webm' });
}

export async function transcribe(
  config: ApiConfig,
  audio: Blob,
  mimeType: string,
  options: RetryOptions & { onSent?(): void } = {},
): Promise<string> {
  if (audio.size > WHISPER_MAX_BYTES) {
    throw new ApiProblem(
      'too-large',
      `This recording is ${(audio.size / 1024 / 1024).toFixed(1)} MB, over the 25 MB a transcription accepts. Record shorter turns; this one is kept in your history.`,
    );
  }
  const client = createClient(config);
  const file = recordingFile(audio, mimeType);
  const result = await withRetry(
    () => {
      options.onSent?.();
      return client.audio.transcriptions.create(
        { file, model: config.transcriptionModel, language: 'en', response_format: 'json' },
        { signal: options.signal },
      );
    },
    (error) => describeApiError(error, config.apiBaseUrl, config.transcriptionModel),
    options,
  );
  // A server that is not OpenAI-compatible may answer 200 with a web page.
  if (!result || typeof (result as { text?: unknown }).text !== 'string') throw notCompatible(config.apiBaseUrl);
  return result.text.trim();
}

/**
 * Streams the teacher's reply, calling `onDelta` with each piece of text as it arrives.
 * Only the opening of the stream is retried: once text has reached the learner, a retry would
 * repeat it.
 */
export async function streamReply(
  config: ApiConfig,
  messages: ChatTurn[],
  onDelta: (text: string) => void,
  options: RetryOptions & { onSent?(): void } = {},
): Promise<string> {
  const client = createClient(config);
  const describe = (error: unknown) => describeApiError(error, config.apiBaseUrl, config.chatModel);
  const stream = await withRetry(
    () => {
      options.onSent?.();
      return client.chat.completions.create(
        { model: config.chatModel, messages, stream: true },
        { signal: options.signal },
      );
    },
    describe,
    options,
  );
  let text = '';
  let chunks = 0;
  try {
    for await (const chunk of stream) {
      chunks++;
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        text += delta;
        onDelta(delta);
      }
    }
  } catch (error) {
    throw describe(error);
  }
  if (chunks === 0) throw notCompatible(config.apiBaseUrl);
  return text;
}

export interface ConnectionReport {
  api: { ok: boolean; message: string };
  companion: { ok: boolean; message: string };
}

/** Checks the key against the API (GET /models) and that the companion answers /health. */
export async function testApi(config: ApiConfig): Promise<{ ok: boolean; message: string }> {
  try {
    const client = createClient(config);
    const models = await client.models.list();
    const ids = models.data.map((model) => model.id);
    const missing = [config.chatModel, config.transcriptionModel].filter((id) => ids.length > 0 && !ids.includes(id));
    return {
      ok: true,
      message: missing.length
        ? `Key accepted. Note: the server does not list ${missing.join(' or ')}; check the model names.`
        : 'Key accepted.',
    };
  } catch (error) {
    return { ok: false, message: describeApiError(error, config.apiBaseUrl).message };
  }
}
