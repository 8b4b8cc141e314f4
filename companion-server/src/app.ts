import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { splitSentences } from '../../common/sentence-splitter.ts';
import {
  CONTENT_TYPES,
  LinearResampler,
  PCM_FORMAT_SAMPLE_RATE,
  RESPONSE_FORMATS,
  createEncoder,
  type ResponseFormat,
} from './audio.ts';
import type { AudioCache } from './cache.ts';
import { ApiError, errorMessage, isAbortError, notReady } from './errors.ts';
import { isOpenAIVoice } from './openai-voices.ts';
import { guard } from './security.ts';
import type { TtsEngine } from './engines/types.ts';
import type { SttEngine } from './stt/engine.ts';
import { DEFAULT_STT_MAX_MB, transcriptionHandlers } from './stt/route.ts';
import { TranscriptionStreams, streamHandlers } from './stt/stream.ts';

export interface AppDeps {
  engine: TtsEngine;
  cache: AudioCache | null;
  maxChars: number;
  token: string | undefined;
  allowOrigins: readonly string[];
  /** Host names accepted besides the loopback ones (a specific --host address). */
  extraHosts?: readonly string[];
  log?: (line: string) => void;
  /** Transcription (--stt): its engine, or null when off; and the largest upload it takes. */
  stt?: SttEngine | null;
  sttMaxBytes?: number;
}

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;
/**
 * The fewest words of a request's opening clause spoken on its own by a voice that needs time for every piece
 * before its first sound (Piper, Kokoro, Coqui: ~20 ms a word on two cores against eSpeak's ~2): the teacher's
 * "You said: “…”" starts after "You said:" (measured: Piper's first byte 80 ms instead of 150–260 ms).
 */
const SLOW_START_FIRST_CLAUSE_WORDS = 2;

/** Responses longer than this are streamed but not cached (a 4,000-character answer is about 10 MB of WAV). */
const MAX_CACHED_BYTES = 32 * 1024 * 1024;

interface SpeechRequest {
  input: string;
  voice: string;
  format: ResponseFormat;
  speed: number;
}

function invalid(message: string, param: string | null = null): ApiError {
  return new ApiError(400, 'invalid_request_error', message, param ? { param } : {});
}

function parseSpeechRequest(raw: string, deps: AppDeps): Omit<SpeechRequest, 'voice'> & { voice: string | undefined } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalid('The request body is not valid JSON: send {"input": "...", "voice": "..."} as application/json.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The request body must be a JSON object such as {"input": "Hello.", "voice": "en-us"}.');
  }
  const fields = body as Record<string, unknown>;
  const { input, voice, response_format: format, speed, model, instructions } = fields;

  if (input === undefined || input === null) throw invalid('"input" is required: the text to speak.', 'input');
  if (typeof input !== 'string') throw invalid('"input" must be a string.', 'input');
  if (input.trim() === '') throw invalid('"input" is empty: there is nothing to speak.', 'input');
  const length = [...input].length;
  if (length > deps.maxChars) {
    throw new ApiError(413, 'request_too_large', `"input" is ${length} characters; the limit is ${deps.maxChars}.`, {
      param: 'input',
    });
  }
  if (model !== undefined && model !== null && typeof model !== 'string')
    throw invalid('"model" must be a string.', 'model');
  if (voice !== undefined && voice !== null && typeof voice !== 'string')
    throw invalid('"voice" must be a string.', 'voice');
  // gpt-4o-mini-tts's style prompt: no engine here can follow it, and refusing it would break OpenAI clients.
  if (instructions !== undefined && instructions !== null && typeof instructions !== 'string') {
    throw invalid(
      '"instructions" must be a string (the companion accepts it and speaks in its own style).',
      'instructions',
    );
  }
  if (format !== undefined && format !== null && !(RESPONSE_FORMATS as readonly unknown[]).includes(format)) {
    throw invalid(
      `"response_format" ${JSON.stringify(format)} is not supported; use one of ${RESPONSE_FORMATS.join(', ')}.`,
      'response_format',
    );
  }
  if (speed !== undefined && speed !== null) {
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
      throw invalid(`"speed" must be a number from ${MIN_SPEED} to ${MAX_SPEED}.`, 'speed');
    }
  }
  if (fields.stream_format !== undefined && fields.stream_format !== 'audio') {
    throw invalid('"stream_format" must be "audio": the body is always streamed as audio.', 'stream_format');
  }
  return {
    input,
    voice: typeof voice === 'string' && voice !== '' ? voice : undefined,
    // OpenAI's default, so a client that names no format gets what it would get from OpenAI.
    format: (format as ResponseFormat | undefined) ?? 'mp3',
    speed: typeof speed === 'number' ? speed : 1,
  };
}

function engineGate(engine: TtsEngine): void {
  const state = engine.status();
  if (state.state === 'loading') {
    throw notReady(
      `The ${engine.name} engine is still loading (${state.message}); try again shortly.`,
      state.retryAfterSeconds,
    );
  }
  if (state.state === 'error') {
    throw new ApiError(503, 'engine_error', `The ${engine.name} engine is unavailable: ${state.message}`);
  }
}

function voiceList(engine: TtsEngine): string {
  const ids = engine.voices().map((voice) => voice.id);
  return ids.length > 20 ? `${ids.slice(0, 20).join(', ')} … (${ids.length} in all, see GET /voices)` : ids.join(', ');
}

function methodNotAllowed(allow: string) {
  return (c: Context): Response =>
    c.json(
      new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow}.`).body(),
      405,
      { Allow: allow },
    );
}

/**
 * Streams one request's audio: the first sentence has already been synthesised (so its failures became proper
 * HTTP errors); the rest follow in order, each synthesised while the previous one is being sent.
 */
function streamSpeech(options: {
  engine: TtsEngine;
  request: SpeechRequest;
  sentences: string[];
  first: { sampleRate: number; chunks: AsyncIterable<Buffer> };
  controller: AbortController;
  onComplete: (body: Buffer) => void;
  log: (line: string) => void;
}): ReadableStream<Uint8Array> {
  const { engine, request, sentences, first, controller } = options;
  const sampleRate = first.sampleRate;
  const encoder = createEncoder(request.format, sampleRate);
  const sent: Buffer[] = [];
  let sentBytes = 0;

  async function* produce(): AsyncGenerator<Buffer> {
    if (sentences.length === 1) {
      // One sentence is already whole, so the WAV header can carry exact sizes, which every decoder accepts.
      const pcm: Buffer[] = [];
      for await (const chunk of first.chunks) pcm.push(chunk);
      const all = Buffer.concat(pcm);
      yield encoder.start(all.length);
      yield encoder.encode(all);
    } else {
      yield encoder.start(null);
      for (let index = 0; index < sentences.length; index++) {
        const audio =
          index === 0
            ? first
            : await engine.synthesize(
                sentences[index]!,
                request.voice,
                { speed: request.speed, continuation: true },
                controller.signal,
              );
        const resampler = audio.sampleRate === sampleRate ? null : new LinearResampler(audio.sampleRate, sampleRate);
        for await (const chunk of audio.chunks) yield encoder.encode(resampler ? resampler.push(chunk) : chunk);
      }
    }
    yield encoder.end();
  }

  const iterator = produce();
  return new ReadableStream<Uint8Array>({
    async pull(stream) {
      try {
        for (;;) {
          const { value, done } = await iterator.next();
          if (done) {
            stream.close();
            if (sentBytes <= MAX_CACHED_BYTES) options.onComplete(encoder.complete(sent));
            return;
          }
          if (value.length === 0) continue;
          sentBytes += value.length;
          if (sentBytes <= MAX_CACHED_BYTES) sent.push(value);
          stream.enqueue(value);
          return;
        }
      } catch (error) {
        controller.abort();
        if (!isAbortError(error)) options.log(`[speech] stopped mid-stream: ${errorMessage(error)}`);
        // Headers are gone already: ending the body with an error is the only way to tell the client.
        stream.error(error);
      }
    },
    cancel() {
      controller.abort();
      void iterator.return(undefined);
    },
  });
}

/** Builds the companion's HTTP app without listening, so tests and other processes can mount it anywhere. */
export function createApp(deps: AppDeps) {
  const { engine, cache } = deps;
  const log = deps.log ?? ((line: string) => console.info(line));
  // JSON-escaped text can be up to 6 bytes per character; the rest of the body is a few short fields.
  const maxBodyBytes = deps.maxChars * 6 + 4096;
  const sttMaxBytes = deps.sttMaxBytes ?? DEFAULT_STT_MAX_MB * 1024 * 1024;
  const streams = streamHandlers(deps.stt ? new TranscriptionStreams(deps.stt, sttMaxBytes, log) : null);

  return new Hono()
    .onError((error, c) => {
      if (error instanceof ApiError) return error.toResponse();
      log(`[companion] unexpected error on ${c.req.method} ${c.req.path}: ${errorMessage(error)}`);
      return new ApiError(500, 'server_error', 'The companion hit an unexpected error; see its log.').toResponse();
    })
    .notFound((c) =>
      c.json(new ApiError(404, 'not_found_error', `There is no ${c.req.path} here; see GET /health.`).body(), 404),
    )
    .use(guard({ allowOrigins: deps.allowOrigins, token: deps.token, extraHosts: deps.extraHosts }))
    .get('/health', (c) => {
      const state = engine.status();
      return c.json({
        status: state.state === 'ready' ? ('ok' as const) : state.state,
        engine: engine.name,
        model: engine.model,
        device: engine.device,
        ready: state.state === 'ready',
        message: state.state === 'ready' ? null : state.message,
        naturalVoice: engine.naturalVoice?.() ?? {
          state: 'off' as const,
          engine: engine.name,
          voice: engine.defaultVoice(),
          percent: null,
          message: null,
        },
        queue: engine.queue(),
        cache: cache ? cache.stats() : null,
        limits: { maxChars: deps.maxChars, speed: [MIN_SPEED, MAX_SPEED], formats: RESPONSE_FORMATS },
        stt: deps.stt ? deps.stt.status() : { state: 'off' as const },
      });
    })
    .all('/health', methodNotAllowed('GET'))
    .get('/voices', (c) => {
      engineGate(engine);
      return c.json({ engine: engine.name, default: engine.defaultVoice(), voices: engine.voices() });
    })
    .all('/voices', methodNotAllowed('GET'))
    .post(
      '/v1/audio/speech',
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: () =>
          new ApiError(413, 'request_too_large', `The request body is over ${maxBodyBytes} bytes.`).toResponse(),
      }),
      async (c) => {
        // Touch the signal now: @hono/node-server only aborts it on disconnect once something has asked for it.
        const clientSignal = c.req.raw.signal;
        const parsed = parseSpeechRequest(await c.req.text(), deps);
        engineGate(engine);
        const asked = parsed.voice ?? engine.defaultVoice();
        const voice = engine.acceptsVoice(asked) ? asked : isOpenAIVoice(asked) ? engine.voiceForOpenAI(asked) : null;
        if (voice === null) {
          throw invalid(
            `Unknown voice "${asked}". Available voices: ${voiceList(engine)}, or one of OpenAI's names.`,
            'voice',
          );
        }
        // Fixed once per request, so the whole answer comes from one engine even if another becomes ready meanwhile,
        // and the cache key names the engine that really speaks (eSpeak stands in while a neural voice is fetched).
        const route = engine.route?.(voice) ?? { engine: engine.name, voice };
        const request: SpeechRequest = { ...parsed, voice: route.voice };
        const contentType = CONTENT_TYPES[request.format];

        const key = cache?.enabled
          ? cache.key({
              engine: route.engine,
              model: engine.model,
              voice: route.voice,
              speed: request.speed,
              format: request.format,
              text: request.input,
            })
          : null;
        if (cache && key) {
          const hit = await cache.get(key);
          if (hit) {
            return new Response(new Uint8Array(hit.buffer as ArrayBuffer, hit.byteOffset, hit.length), {
              headers: { 'Content-Type': contentType, 'Content-Length': String(hit.length), 'X-Cache': 'hit' },
            });
          }
        }

        const speaker = engine.route?.(voice)?.engine ?? engine.name;
        const found = splitSentences(request.input, {
          firstClauseMinWords: speaker === 'espeak' ? undefined : SLOW_START_FIRST_CLAUSE_WORDS,
        }).filter((sentence) => sentence.trim() !== '');
        const sentences = found.length > 0 ? found : [request.input.trim()];
        const controller = new AbortController();
        const onClientGone = (): void => controller.abort(clientSignal.reason);
        if (clientSignal.aborted) onClientGone();
        clientSignal.addEventListener('abort', onClientGone, { once: true });

        let first;
        try {
          first = await engine.synthesize(sentences[0]!, request.voice, { speed: request.speed }, controller.signal);
        } catch (error) {
          clientSignal.removeEventListener('abort', onClientGone);
          if (controller.signal.aborted && !(error instanceof ApiError)) {
            // Nobody is left to read this; it only completes the exchange without logging an unexpected error.
            throw new ApiError(503, 'server_error', 'The request was cancelled before its audio was ready.');
          }
          throw error;
        }

        const body = streamSpeech({
          engine,
          request,
          sentences,
          first,
          controller,
          log,
          onComplete: (audio) => {
            clientSignal.removeEventListener('abort', onClientGone);
            if (cache && key) {
              cache
                .put(key, audio)
                .catch((error: unknown) => log(`[cache] could not store audio: ${errorMessage(error)}`));
            }
          },
        });
        const headers: Record<string, string> = { 'Content-Type': contentType, 'X-Cache': 'miss' };
        if (request.format === 'pcm') headers['X-Sample-Rate'] = String(PCM_FORMAT_SAMPLE_RATE);
        return new Response(body, { headers });
      },
    )
    .all('/v1/audio/speech', methodNotAllowed('POST'))
    .post('/v1/audio/transcriptions', ...transcriptionHandlers({ stt: deps.stt ?? null, maxBytes: sttMaxBytes }))
    .all('/v1/audio/transcriptions', methodNotAllowed('POST'))
    .post('/v1/audio/transcriptions/stream', ...streams.open)
    .post('/v1/audio/transcriptions/stream/:id', ...streams.append)
    .post('/v1/audio/transcriptions/stream/:id/end', ...streams.end);
}

export type CompanionApp = ReturnType<typeof createApp>;
