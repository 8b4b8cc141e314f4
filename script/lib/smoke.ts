import OpenAI from 'openai';

/** Settings shared by the smoke scripts, from the same environment variables the OpenAI tools use. */
export function smokeEnv() {
  return {
    apiKey: process.env.OPENAI_API_KEY,
    baseURL: process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    companionURL: (process.env.AITALK_COMPANION_URL ?? 'http://127.0.0.1:8730').replace(/\/+$/, ''),
    companionToken: process.env.AITALK_TOKEN,
    transcribeModel: process.env.AITALK_TRANSCRIBE_MODEL ?? 'whisper-1',
    chatModel: process.env.AITALK_CHAT_MODEL ?? 'gpt-4o-mini',
  };
}

export function openaiClient(): OpenAI {
  const env = smokeEnv();
  if (!env.apiKey)
    throw new Error(
      'OPENAI_API_KEY is not set (export it, and OPENAI_BASE_URL for a server other than api.openai.com)',
    );
  return new OpenAI({ apiKey: env.apiKey, baseURL: env.baseURL, maxRetries: 0, timeout: 60_000 });
}

/** One line that says what went wrong and where, for a person reading a terminal. */
export function describeFailure(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionError) {
    return `cannot reach ${smokeEnv().baseURL}: ${error.cause instanceof Error ? error.cause.message : error.message}`;
  }
  if (error instanceof OpenAI.APIError) {
    const code = error.code ? ` (${error.code})` : '';
    return `HTTP ${error.status ?? '?'}${code}: ${error.error && typeof error.error === 'object' && 'message' in error.error ? String(error.error.message) : error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function runSmoke(name: string, body: () => Promise<void>): void {
  body().catch((error: unknown) => {
    console.error(`${name} FAILED: ${describeFailure(error)}`);
    process.exitCode = 1;
  });
}
