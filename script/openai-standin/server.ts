import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { stream } from 'hono/streaming';
import {
  SPEECH_CONTENT_TYPES,
  synthesizeSpeech,
  transcribeUpload,
  UndecodableAudioError,
  type SpeechFormat,
} from './audio.ts';
import {
  loadOpenApiValidator,
  type OpenAIErrorBody,
  type OpenApiValidator,
  type ValidationResult,
} from './openapi-validator.ts';
import { REASONING, STANDIN_QUIRKS, asArray, spreadWords, type StandinQuirk, type StandinServes } from './quirks.ts';
import { teacherReply, tokenize, type ReplyStyle, type TeacherMessage } from './teacher.ts';
import { answerStructured, STRUCTURED_OUTPUTS, type StructuredOutputs } from './corrections.ts';

export { REASONING, STANDIN_QUIRKS, type StandinQuirk, type StandinServes } from './quirks.ts';

export type Endpoint = 'transcriptions' | 'chat' | 'speech' | 'models';
export type FaultKind =
  | 'invalid-key'
  | 'insufficient-quota'
  | 'rate-limit'
  | 'server-error'
  | 'overloaded'
  | 'drop-connection'
  | 'html'
  | 'quota-402'
  | 'quota-403';

export interface FaultSpec {
  kind: FaultKind;
  /** Which endpoint fails; 'any' takes the next request to any API endpoint. Default 'any'. */
  endpoint?: Endpoint | 'any';
  /** How many requests in a row fail. Default 1. */
  count?: number;
  /** rate-limit: the wait the response asks for (retry-after-ms / retry-after headers). Default 1000. */
  retryAfterMs?: number;
  /** html: the status of the HTML page. Default 200 (a web site's home page). */
  status?: number;
  /**
   * Only requests whose `stream` is this: true takes the teacher's streamed replies and leaves the
   * corrections lane's requests (not streamed) alone. Default: either.
   */
  streamed?: boolean;
}

/** A fault waiting for its requests: every option filled in but the optional stream filter. */
export type PendingFault = Required<Omit<FaultSpec, 'streamed'>> & Pick<FaultSpec, 'streamed'>;

export interface Latencies {
  /** Minimum time to answer a transcription (the real decoding counts towards it). */
  transcriptionMs: number;
  /** Time from the request to the first content token. */
  firstTokenMs: number;
  tokensPerSecond: number;
  /** Length of the teacher's reply. */
  replyWords: number;
  /** Minimum time to answer a speech request. */
  speechMs: number;
  /** Extra time before a structured (corrections) answer: a slow second lane beside the reply. */
  correctionsMs?: number;
}

export type LatencyProfile = 'default' | 'fast';

export const LATENCY_PROFILES: Record<LatencyProfile, Latencies> = {
  // The bench's default profile (issue 4): what a remote API typically costs.
  default: { transcriptionMs: 400, firstTokenMs: 400, tokensPerSecond: 40, replyWords: 100, speechMs: 0 },
  fast: { transcriptionMs: 0, firstTokenMs: 0, tokensPerSecond: 2000, replyWords: 100, speechMs: 0 },
};

export interface StandinOptions {
  /** Default 0: any free port. Always bound on 127.0.0.1. */
  port?: number;
  apiKey?: string;
  latencyProfile?: LatencyProfile;
  latency?: Partial<Latencies>;
  /** Sentences the transcription endpoint can recognise; anything else transcribes as ''. */
  candidates?: string[];
  /** When set, every transcription returns this text without looking at the audio (the bench). */
  transcript?: string | null;
  specPath?: string;
  models?: string[];
  quirks?: StandinQuirk[];
  serves?: StandinServes;
  /** Structured outputs the server accepts (corrections.ts). Default json_schema, as OpenAI. */
  structuredOutputs?: StructuredOutputs;
}

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface RecordedRequest {
  id: number;
  method: string;
  path: string;
  endpoint: Endpoint | 'other';
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Header names lowercased; the key in Authorization is replaced by "[redacted]". */
  headers: Record<string, string>;
  /** The parsed JSON body (chat, speech). */
  body?: unknown;
  /** Multipart text fields as sent (a repeated `name[]` becomes an array). */
  fields?: Record<string, string | string[]>;
  file?: RecordedFile;
  /** null when the request was not validated (no body, or refused before validation). */
  valid: boolean | null;
  validationErrors: string[];
  fault?: FaultKind;
  status?: number;
  /** The client went away before the response was complete. */
  aborted: boolean;
  firstChunkAt?: number;
  completedAt?: number;
  transcript?: string;
  reply?: string;
}

export interface StandinConfig {
  apiKey: string;
  latency: Latencies;
  candidates: string[];
  transcript: string | null;
  quirks: StandinQuirk[];
  serves: StandinServes;
  structuredOutputs: StructuredOutputs;
  /** How the teacher's replies open ('correction-first' unless a test asks for a long opening). */
  replyStyle: ReplyStyle;
}

export interface StandinControl {
  failNext(fault: FaultSpec): void;
  setLatency(latency: Partial<Latencies> | LatencyProfile): void;
  setCandidates(candidates: string[]): void;
  setTranscript(transcript: string | null): void;
  setQuirks(quirks: StandinQuirk[]): void;
  setServes(serves: StandinServes): void;
  setStructuredOutputs(support: StructuredOutputs): void;
  setReplyStyle(style: ReplyStyle): void;
  /** Forget recorded requests and pending faults, and restore the configuration the stand-in started with. */
  reset(): void;
  clearRequests(): void;
  readonly config: StandinConfig;
  readonly pendingFaults: readonly PendingFault[];
}

export interface Standin {
  /** Base URL for the openai SDK, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  origin: string;
  port: number;
  apiKey: string;
  requests: RecordedRequest[];
  control: StandinControl;
  close(): Promise<void>;
}

const DEFAULT_MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'whisper-1',
  'gpt-4o-mini-transcribe',
  'gpt-4o-transcribe',
  'tts-1',
  'gpt-4o-mini-tts',
];
export const DEFAULT_API_KEY = 'sk-test-aitalk';
/** Whisper's upload limit. */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const err = (message: string, type: string, code: string | null, param: string | null = null): OpenAIErrorBody => ({
  error: { message, type, param, code },
});

/** OpenAI shows the start and end of a rejected key, never all of it. */
function maskKey(key: string): string {
  return key.length <= 8
    ? '*'.repeat(key.length)
    : `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

type Env = { Bindings: HttpBindings };
type Ctx = Context<Env>;

interface Parsed {
  rec: RecordedRequest;
  /** Set when the body itself is unusable (e.g. not JSON): answered after auth, as OpenAI does. */
  bodyError?: OpenAIErrorBody;
  validation?: ValidationResult;
  json?: Record<string, unknown>;
  upload?: File;
}

/** Builds the stand-in's Hono app and its control surface, without listening. */
export function createStandinApp(validator: OpenApiValidator, options: StandinOptions = {}) {
  const initial = (): StandinConfig => ({
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    latency: { ...LATENCY_PROFILES[options.latencyProfile ?? 'default'], ...options.latency },
    candidates: [...(options.candidates ?? [])],
    transcript: options.transcript ?? null,
    quirks: [...(options.quirks ?? [])],
    serves: options.serves ?? 'all',
    structuredOutputs: options.structuredOutputs ?? 'json_schema',
    replyStyle: 'correction-first',
  });
  let config = initial();
  const requests: RecordedRequest[] = [];
  const faults: PendingFault[] = [];
  const models = options.models ?? DEFAULT_MODELS;
  let nextId = 1;

  const control: StandinControl = {
    failNext(fault) {
      faults.push({ endpoint: 'any', count: 1, retryAfterMs: 1000, status: 200, ...fault });
    },
    setLatency(latency) {
      config.latency =
        typeof latency === 'string' ? { ...LATENCY_PROFILES[latency] } : { ...config.latency, ...latency };
    },
    setCandidates(candidates) {
      config.candidates = [...candidates];
    },
    setTranscript(transcript) {
      config.transcript = transcript;
    },
    setQuirks(quirks) {
      config.quirks = [...quirks];
    },
    setServes(serves) {
      config.serves = serves;
    },
    setStructuredOutputs(support) {
      config.structuredOutputs = support;
    },
    setReplyStyle(style) {
      config.replyStyle = style;
    },
    reset() {
      requests.length = 0;
      faults.length = 0;
      config = initial();
    },
    clearRequests() {
      requests.length = 0;
    },
    get config() {
      return config;
    },
    get pendingFaults() {
      return faults;
    },
  };

  const takeFault = (endpoint: Endpoint, body?: Record<string, unknown>): PendingFault | undefined => {
    const streamed = body?.stream === true;
    const index = faults.findIndex(
      (f) => (f.endpoint === 'any' || f.endpoint === endpoint) && (f.streamed === undefined || f.streamed === streamed),
    );
    const fault = faults[index];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) faults.splice(index, 1);
    return { ...fault };
  };

  const record = (c: Ctx, endpoint: RecordedRequest['endpoint']): RecordedRequest => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name] = name === 'authorization' ? value.replace(/^(\S+\s+).*$/s, '$1[redacted]') : value;
    });
    const rec: RecordedRequest = {
      id: nextId++,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      endpoint,
      receivedAt: Date.now(),
      headers,
      valid: null,
      validationErrors: [],
      aborted: false,
    };
    requests.push(rec);
    return rec;
  };

  const finish = (rec: RecordedRequest, response: Response): Response => {
    rec.status = response.status;
    rec.completedAt ??= Date.now();
    response.headers.set('x-request-id', `req_standin_${rec.id}`);
    return response;
  };

  const json = (rec: RecordedRequest, body: unknown, status: number, headers: Record<string, string> = {}): Response =>
    finish(
      rec,
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } }),
    );

  const applyFault = (c: Ctx, rec: RecordedRequest, fault: PendingFault): Response => {
    rec.fault = fault.kind;
    switch (fault.kind) {
      case 'invalid-key':
        return json(
          rec,
          err(
            `Incorrect API key provided: ${maskKey(bearer(c) ?? '')}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            'invalid_request_error',
            'invalid_api_key',
          ),
          401,
        );
      case 'insufficient-quota':
        return json(
          rec,
          err(
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
            'insufficient_quota',
            'insufficient_quota',
          ),
          429,
        );
      case 'rate-limit': {
        const seconds = fault.retryAfterMs / 1000;
        return json(
          rec,
          err(
            `Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'requests',
            'rate_limit_exceeded',
          ),
          429,
          {
            'retry-after': String(Math.ceil(seconds)),
            'retry-after-ms': String(fault.retryAfterMs),
            'x-ratelimit-limit-requests': '3',
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': `${seconds}s`,
          },
        );
      }
      case 'server-error':
        return json(
          rec,
          err('The server had an error while processing your request. Sorry about that!', 'server_error', null),
          500,
        );
      case 'overloaded':
        return json(rec, err('The server is overloaded or not ready yet.', 'server_error', null), 503);
      case 'html':
        return finish(
          rec,
          new Response(
            '<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>It works!</h1><p>This is a web page, not an API.</p></body></html>\n',
            { status: fault.status, headers: { 'content-type': 'text/html; charset=utf-8' } },
          ),
        );
      case 'quota-402':
        // DeepSeek's and OpenRouter's way of saying the account is empty.
        return json(rec, err('Insufficient Balance', 'unknown_error', 'invalid_request_error'), 402);
      case 'quota-403':
        // Not even OpenAI's error shape: a provider's own envelope, with a 403.
        return json(rec, { code: 30001, message: 'Sorry, your account balance is insufficient', data: null }, 403);
      case 'drop-connection':
        // The socket goes away without a response: what a crashed proxy or a cut network looks like.
        rec.status = 0;
        rec.completedAt = Date.now();
        c.env.incoming.socket.destroy();
        return new Response(null, { status: 500 });
    }
  };

  const has = (quirk: StandinQuirk) => config.quirks.includes(quirk);
  const isTranscriptionModel = (id: string) => /whisper|transcribe|sensevoice/i.test(id);
  const servedModels = () =>
    config.serves === 'all'
      ? models
      : models.filter((id) => isTranscriptionModel(id) === (config.serves === 'transcription'));
  /** What a server answers for a path it does not have. */
  const noSuchRoute = (c: Ctx, rec: RecordedRequest) =>
    json(rec, err(`Invalid URL (${c.req.method} ${new URL(c.req.url).pathname})`, 'invalid_request_error', null), 404);
  const unrecognized = (rec: RecordedRequest, argument: string) =>
    json(rec, err(`Unrecognized request argument supplied: ${argument}`, 'invalid_request_error', null), 400);

  const bearer = (c: Ctx): string | undefined =>
    /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();

  const authError = (c: Ctx, rec: RecordedRequest): Response | undefined => {
    const key = bearer(c);
    if (key === undefined) {
      return json(
        rec,
        err(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          'invalid_request_error',
          null,
        ),
        401,
      );
    }
    if (key !== config.apiKey) {
      return json(
        rec,
        err(
          `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
        401,
      );
    }
    return undefined;
  };

  const NOT_JSON = err(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    'invalid_request_error',
    null,
  );

  const parseJson = async (
    c: Ctx,
    rec: RecordedRequest,
    schema: 'CreateChatCompletionRequest' | 'CreateSpeechRequest',
  ): Promise<Parsed> => {
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      rec.body = text;
      rec.valid = false;
      rec.validationErrors = ['body is not JSON'];
      return { rec, bodyError: NOT_JSON };
    }
    rec.body = body;
    const validation = validator.validate(schema, body);
    rec.valid = validation.valid;
    if (!validation.valid) rec.validationErrors = validation.errors;
    return { rec, validation, json: body as Record<string, unknown> };
  };

  const parseMultipart = async (c: Ctx, rec: RecordedRequest): Promise<Parsed> => {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch (error) {
      rec.valid = false;
      rec.validationErrors = [`not multipart/form-data: ${(error as Error).message}`];
      // What OpenAI answers when the upload is JSON or broken multipart.
      return {
        rec,
        bodyError: err(
          "Invalid Content-Type header (application/json), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')".replace(
            'application/json',
            c.req.header('content-type') ?? 'none',
          ),
          'invalid_request_error',
          null,
        ),
      };
    }
    const fields: Record<string, string | string[]> = {};
    const forValidation: Record<string, unknown> = {};
    let upload: File | undefined;
    form.forEach((value, rawName) => {
      const isArray = rawName.endsWith('[]');
      const name = isArray ? rawName.slice(0, -2) : rawName;
      if (typeof value === 'string') {
        if (isArray) {
          const list = Array.isArray(fields[name]) ? (fields[name] as string[]) : [];
          fields[name] = [...list, value];
          forValidation[name] = [...list, value];
        } else {
          fields[name] = value;
          // A file sent as a text field is not an upload: OpenAI reports the file as missing.
          if (name !== 'file') forValidation[name] = value;
        }
      } else {
        rec.file = { field: name, filename: value.name, contentType: value.type, size: value.size };
        if (name === 'file') upload = value;
        forValidation[name] = `<${value.size} bytes>`;
      }
    });
    rec.fields = fields;
    const validation = validator.validateForm('CreateTranscriptionRequest', forValidation);
    rec.valid = validation.valid;
    if (!validation.valid) rec.validationErrors = validation.errors;
    return { rec, validation, upload };
  };

  /** The order OpenAI uses: injected fault, then authentication, then the body. */
  const gate = (c: Ctx, endpoint: Endpoint, parsed: Parsed): Response | undefined => {
    const fault = takeFault(endpoint, parsed.json);
    if (fault) return applyFault(c, parsed.rec, fault);
    const auth = authError(c, parsed.rec);
    if (auth) return auth;
    if (parsed.bodyError) return json(parsed.rec, parsed.bodyError, 400);
    if (parsed.validation && !parsed.validation.valid) return json(parsed.rec, parsed.validation.body, 400);
    return undefined;
  };

  /** Aborts when the client goes away (closed tab, AbortController, barge-in). */
  const clientGone = (c: Ctx, rec: RecordedRequest): AbortSignal => {
    const controller = new AbortController();
    const onClose = () => {
      if (!c.env.outgoing.writableFinished) {
        rec.aborted = true;
        controller.abort();
      }
    };
    c.env.outgoing.once('close', onClose);
    c.req.raw.signal.addEventListener(
      'abort',
      () => {
        if (!c.env.outgoing.writableFinished) {
          rec.aborted = true;
          controller.abort();
        }
      },
      { once: true },
    );
    return controller.signal;
  };

  const app = new Hono<Env>();

  // Handlers still running (each may be waiting on an ffmpeg, sox or espeak-ng child), so that
  // closing the stand-in can wait for them instead of leaving children behind.
  const inFlight = new Set<Promise<void>>();
  app.use('/v1/*', async (_c, next) => {
    const handled = next();
    inFlight.add(handled);
    try {
      await handled;
    } finally {
      inFlight.delete(handled);
    }
  });
  const drain = async (): Promise<void> => {
    await Promise.allSettled([...inFlight]);
  };

  // api.openai.com answers browsers from any origin; the extension calls it from chrome-extension://.
  app.use(
    '*',
    cors({
      origin: '*',
      maxAge: 86_400,
      exposeHeaders: ['x-request-id', 'retry-after', 'retry-after-ms', 'openai-processing-ms'],
    }),
  );

  app.get('/v1/models', (c) => {
    const rec = record(c, 'models');
    const blocked = gate(c, 'models', { rec });
    if (blocked) return blocked;
    return json(
      rec,
      {
        object: 'list',
        data: servedModels().map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'aitalk-standin' })),
      },
      200,
    );
  });

  app.get('/v1/models/:model', (c) => {
    const rec = record(c, 'models');
    const blocked = gate(c, 'models', { rec });
    if (blocked) return blocked;
    const id = c.req.param('model');
    if (!servedModels().includes(id))
      return json(
        rec,
        err(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'),
        404,
      );
    return json(rec, { id, object: 'model', created: 1_700_000_000, owned_by: 'aitalk-standin' }, 200);
  });

  app.post('/v1/audio/transcriptions', async (c) => {
    const rec = record(c, 'transcriptions');
    if (config.serves === 'chat') return noSuchRoute(c, rec);
    const started = performance.now();
    const parsed = await parseMultipart(c, rec);
    const blocked = gate(c, 'transcriptions', parsed);
    if (blocked) return blocked;
    const fields = rec.fields ?? {};
    const verbose = fields.response_format === 'verbose_json' || fields.timestamp_granularities !== undefined;
    if (has('no-transcription-options')) {
      const extra = ['language', 'prompt', 'temperature', 'timestamp_granularities'].find(
        (name) => fields[name] !== undefined,
      );
      if (extra) return unrecognized(rec, extra);
    }
    if ((has('no-transcription-options') || has('no-verbose-json')) && verbose) {
      return json(
        rec,
        err(
          "response_format 'verbose_json' is not supported for this model.",
          'invalid_request_error',
          'unsupported_value',
          'response_format',
        ),
        400,
      );
    }
    const upload = parsed.upload;
    if (!upload)
      return json(
        rec,
        err("Missing required parameter: 'file'.", 'invalid_request_error', 'missing_required_parameter', 'file'),
        400,
      );
    if (upload.size > MAX_UPLOAD_BYTES) {
      return json(
        rec,
        err(
          `Maximum content size limit (${MAX_UPLOAD_BYTES}) exceeded (${upload.size} bytes read)`,
          'server_error',
          null,
        ),
        413,
      );
    }
    const signal = clientGone(c, rec);
    let text: string;
    let duration: number;
    let speech = { start: 0, end: 0 };
    if (config.transcript !== null) {
      text = config.transcript;
      duration = 0;
    } else {
      try {
        const result = await transcribeUpload(
          new Uint8Array(await upload.arrayBuffer()),
          upload.name,
          config.candidates,
          signal,
        );
        text = result.text;
        duration = result.durationSeconds;
        speech = result.speech;
      } catch (error) {
        if (!(error instanceof UndecodableAudioError)) throw error;
        return json(
          rec,
          err(
            "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']",
            'invalid_request_error',
            'invalid_value',
            'file',
          ),
          400,
        );
      }
      if (duration < 0.1) {
        return json(
          rec,
          err(
            'Audio file is too short. Minimum audio length is 0.1 seconds.',
            'invalid_request_error',
            'audio_too_short',
            'file',
          ),
          400,
        );
      }
    }
    rec.transcript = text;
    await sleep(config.latency.transcriptionMs - (performance.now() - started), signal);
    const format = typeof rec.fields?.response_format === 'string' ? rec.fields.response_format : 'json';
    const usage = { type: 'duration', seconds: Math.ceil(duration) };
    switch (format) {
      case 'text':
        return finish(rec, c.text(`${text}\n`));
      case 'srt':
        return finish(rec, c.text(`1\n00:00:00,000 --> ${srtTime(duration, ',')}\n${text}\n\n`));
      case 'vtt':
        return finish(rec, c.text(`WEBVTT\n\n00:00:00.000 --> ${srtTime(duration, '.')}\n${text}\n\n`));
      case 'verbose_json':
        return json(
          rec,
          {
            task: 'transcribe',
            language: 'english',
            duration,
            text,
            segments: text
              ? [
                  {
                    id: 0,
                    seek: 0,
                    start: 0,
                    end: duration,
                    text: ` ${text}`,
                    tokens: [],
                    temperature: 0,
                    avg_logprob: -0.2,
                    compression_ratio: 1,
                    no_speech_prob: 0.01,
                  },
                ]
              : [],
            ...(asArray(fields.timestamp_granularities).includes('word')
              ? { words: spreadWords(text, speech.start, speech.end) }
              : {}),
            usage,
          },
          200,
        );
      default:
        return json(rec, { text, usage }, 200);
    }
  });

  app.post('/v1/chat/completions', async (c) => {
    const rec = record(c, 'chat');
    if (config.serves === 'transcription') return noSuchRoute(c, rec);
    const parsed = await parseJson(c, rec, 'CreateChatCompletionRequest');
    const blocked = gate(c, 'chat', parsed);
    if (blocked) return blocked;
    const body = parsed.json ?? {};
    if (has('no-stream-options') && body.stream_options !== undefined) return unrecognized(rec, 'stream_options');
    const model = String(body.model);
    const messages = (Array.isArray(body.messages) ? body.messages : []).map(toTeacherMessage);
    const { firstTokenMs, tokensPerSecond, replyWords } = config.latency;
    const structured = answerStructured(body, messages, config.structuredOutputs);
    if (structured.kind === 'refused') return json(rec, structured.error, 400);
    const reply =
      structured.kind === 'answer' ? structured.content : teacherReply(messages, replyWords, config.replyStyle);
    const tokens = tokenize(reply);
    const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = messages.reduce((sum, m) => sum + tokenize(m.content).length + 4, 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: tokens.length,
      total_tokens: promptTokens + tokens.length,
    };
    const signal = clientGone(c, rec);
    const tokenInterval = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;

    const extraMs = structured.kind === 'answer' ? (config.latency.correctionsMs ?? 0) : 0;
    if (body.stream !== true) {
      await sleep(extraMs + firstTokenMs + tokenInterval * tokens.length, signal);
      rec.reply = reply;
      return json(
        rec,
        {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: reply, refusal: null, annotations: [] },
              logprobs: null,
              finish_reason: 'stop',
            },
          ],
          usage: {
            ...usage,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          },
          service_tier: 'default',
          system_fingerprint: 'fp_standin',
        },
        200,
      );
    }

    const streamOptions = body.stream_options as { include_usage?: boolean } | null | undefined;
    const includeUsage = streamOptions?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_standin',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
    c.header('content-type', 'text/event-stream; charset=utf-8');
    c.header('cache-control', 'no-cache');
    c.header('x-request-id', `req_standin_${rec.id}`);
    rec.status = 200;
    rec.reply = '';
    return stream(c, async (out) => {
      out.onAbort(() => {
        if (rec.completedAt === undefined) rec.aborted = true;
      });
      const send = async (data: unknown) => {
        if (signal.aborted) return;
        rec.firstChunkAt ??= Date.now();
        await out.write(`${has('data-no-space') ? 'data:' : 'data: '}${JSON.stringify(data)}\n\n`);
      };
      // Token times are fixed from the start, so slow writes do not stretch the schedule.
      const start = performance.now();
      await sleep(extraMs + firstTokenMs, signal);
      await send(chunk({ role: 'assistant', content: '', refusal: null }, null));
      if (has('reasoning-content')) {
        for (const thought of tokenize(REASONING))
          await send(chunk({ content: null, reasoning_content: thought }, null));
      }
      for (const [index, token] of tokens.entries()) {
        await sleep(start + firstTokenMs + index * tokenInterval - performance.now(), signal);
        if (signal.aborted || out.aborted) break;
        if (has('error-in-stream') && index === 3) {
          // The body is already 200: the server can only say so in the stream, then stop.
          await send(err('The server had an error processing your request.', 'server_error', 'internal_error'));
          rec.completedAt = Date.now();
          return;
        }
        await send(chunk({ content: token }, null));
        rec.reply += token;
      }
      if (signal.aborted || out.aborted) {
        rec.aborted = true;
        return;
      }
      await send(chunk({}, 'stop'));
      if (includeUsage) {
        await send({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          service_tier: 'default',
          system_fingerprint: 'fp_standin',
          choices: [],
          usage,
        });
      } else if (has('usage-only-final-chunk')) {
        await send({ id, object: 'chat.completion.chunk', created, model, usage });
      }
      await out.write(`${has('data-no-space') ? 'data:' : 'data: '}[DONE]\n\n`);
      rec.completedAt = Date.now();
    });
  });

  app.post('/v1/audio/speech', async (c) => {
    const rec = record(c, 'speech');
    const started = performance.now();
    const parsed = await parseJson(c, rec, 'CreateSpeechRequest');
    const blocked = gate(c, 'speech', parsed);
    if (blocked) return blocked;
    const body = parsed.json ?? {};
    const format = (typeof body.response_format === 'string' ? body.response_format : 'mp3') as SpeechFormat;
    const voice = typeof body.voice === 'string' ? body.voice : 'alloy';
    const speed = typeof body.speed === 'number' ? body.speed : 1;
    const signal = clientGone(c, rec);
    const audio = await synthesizeSpeech(String(body.input), { voice, format, speed, signal });
    await sleep(config.latency.speechMs - (performance.now() - started), signal);
    return finish(
      rec,
      new Response(new Uint8Array(audio), { status: 200, headers: { 'content-type': SPEECH_CONTENT_TYPES[format] } }),
    );
  });

  // The control API: the same operations as `control`, for tests that run in another process.
  app.get('/__control/requests', (c) => c.json(requests));
  app.get('/__control/config', (c) => c.json({ ...config, pendingFaults: faults }));
  app.post('/__control/reset', (c) => {
    control.reset();
    return c.json({ ok: true });
  });
  app.post('/__control/clear-requests', (c) => {
    control.clearRequests();
    return c.json({ ok: true });
  });
  app.post('/__control/faults', async (c) => {
    const spec = (await c.req.json()) as FaultSpec;
    if (!FAULT_KINDS.includes(spec.kind))
      return c.json(
        err(
          `unknown fault kind: ${String(spec.kind)}; one of ${FAULT_KINDS.join(', ')}`,
          'invalid_request_error',
          null,
        ),
        400,
      );
    control.failNext(spec);
    return c.json({ ok: true, pendingFaults: faults });
  });
  app.post('/__control/config', async (c) => {
    const patch = (await c.req.json()) as {
      latency?: Partial<Latencies> | LatencyProfile;
      candidates?: string[];
      transcript?: string | null;
      quirks?: StandinQuirk[];
      serves?: StandinServes;
      structuredOutputs?: StructuredOutputs;
      replyStyle?: ReplyStyle;
    };
    const unknown = (patch.quirks ?? []).filter((quirk) => !STANDIN_QUIRKS.includes(quirk));
    if (unknown.length)
      return c.json(
        err(`unknown quirk: ${unknown.join(', ')}; one of ${STANDIN_QUIRKS.join(', ')}`, 'invalid_request_error', null),
        400,
      );
    if (patch.serves !== undefined && !['all', 'chat', 'transcription'].includes(patch.serves))
      return c.json(err(`serves must be all, chat or transcription`, 'invalid_request_error', null), 400);
    if (patch.quirks !== undefined) control.setQuirks(patch.quirks);
    if (patch.serves !== undefined) control.setServes(patch.serves);
    if (patch.structuredOutputs !== undefined && !STRUCTURED_OUTPUTS.includes(patch.structuredOutputs)) {
      return c.json(
        err(`structuredOutputs must be one of ${STRUCTURED_OUTPUTS.join(', ')}`, 'invalid_request_error', null),
        400,
      );
    }
    if (patch.structuredOutputs !== undefined) control.setStructuredOutputs(patch.structuredOutputs);
    if (
      patch.replyStyle !== undefined &&
      patch.replyStyle !== 'correction-first' &&
      patch.replyStyle !== 'long-opening'
    ) {
      return c.json(
        err(
          `unknown replyStyle: ${String(patch.replyStyle)}; one of correction-first, long-opening`,
          'invalid_request_error',
          null,
        ),
        400,
      );
    }
    if (patch.replyStyle !== undefined) control.setReplyStyle(patch.replyStyle);
    if (patch.latency !== undefined) control.setLatency(patch.latency);
    if (patch.candidates !== undefined) control.setCandidates(patch.candidates);
    if (patch.transcript !== undefined) control.setTranscript(patch.transcript);
    return c.json(config);
  });

  app.all('/v1/*', (c) => noSuchRoute(c, record(c, 'other')));

  app.onError((error, c) => {
    console.error(`[openai-standin] ${c.req.method} ${c.req.path}: ${error.message}`);
    const rec = requests.findLast((r) => r.path === c.req.path && r.status === undefined);
    const response = c.json(err(`The stand-in failed: ${error.message}`, 'server_error', null), 500);
    return rec ? finish(rec, response) : response;
  });

  return { app, control, requests, drain };
}

const FAULT_KINDS: readonly FaultKind[] = [
  'invalid-key',
  'insufficient-quota',
  'rate-limit',
  'server-error',
  'overloaded',
  'drop-connection',
  'html',
  'quota-402',
  'quota-403',
];

function srtTime(seconds: number, separator: string): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

function toTeacherMessage(message: unknown): TeacherMessage {
  const m = message as { role?: unknown; content?: unknown };
  const content =
    typeof m.content === 'string'
      ? m.content
      : Array.isArray(m.content)
        ? m.content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')).join(' ')
        : '';
  return { role: String(m.role), content };
}

/** Starts the stand-in on 127.0.0.1 (port 0 = any free port). */
export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const validator = await loadOpenApiValidator(options.specPath);
  const { app, control, requests, drain } = createStandinApp(validator, options);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    port,
    get apiKey() {
      return control.config.apiKey;
    },
    requests,
    control,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Cutting the connections aborts every handler's signal, which stops its child processes;
        // streams in flight would otherwise keep close() waiting until they finish.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await drain();
    },
  };
}
