import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { wavHeader } from '../audio.ts';
import { ApiError, errorMessage } from '../errors.ts';
import type { SttEngine, Transcript } from './engine.ts';
import { TRANSCRIPTION_FORMATS, transcriptResponse, type TranscriptionFormat } from './route.ts';

/** What a stream sends: headerless 16-bit little-endian mono PCM at 16 kHz, Whisper's own rate. */
export const STREAM_SAMPLE_RATE = 16_000;
const BYTES_PER_SECOND = STREAM_SAMPLE_RATE * 2;
/**
 * Audio after the last pass counts as silence when no 30 ms frame of it is louder than this (RMS, full scale 1):
 * about -36 dBFS, above a quiet room's noise through a laptop microphone and below any spoken syllable.
 */
const SILENCE_RMS = 0.016;
/**
 * A pass is the answer only if it also heard this much of the quiet after the last word: Whisper may end a sentence
 * differently when the audio stops right at its last sound than when quiet follows, as it does in the whole recording.
 * The same length of quiet at the newest audio is the pause that starts a pass.
 */
const HEARD_QUIET_SECONDS = 0.3;
/**
 * Once this much quiet has come, one more pass: Whisper's words can change with where the audio stops soon after the
 * last word (tiny.en hears learner-pause.wav cut 0.4–0.5 s after it as "Yes, today…", and "Yesterday…" cut anywhere
 * from 0.6 s to the end), and a press this late is answered by a pass that heard as much quiet as the whole has.
 */
const SETTLED_QUIET_SECONDS = 1;
const FRAME_SAMPLES = Math.round(STREAM_SAMPLE_RATE * 0.03);
const MAX_SESSIONS = 4;
const IDLE_MS = 30_000;
const MAX_CHUNK_BYTES = 1024 * 1024;

interface Pass {
  /** Seconds of audio it transcribed. */
  covered: number;
  transcript: Transcript;
}

interface Running {
  /** Seconds of audio it is transcribing. */
  covered: number;
  done: Promise<void>;
}

interface Session {
  id: string;
  chunks: Buffer[];
  bytes: number;
  language: string;
  prompt: string | null;
  temperature: number;
  format: TranscriptionFormat;
  latest: Pass | null;
  running: Running | null;
  /** Whether any piece held sound: quiet before the first word is no pause to transcribe. */
  spoke: boolean;
  ended: boolean;
  idle: NodeJS.Timeout;
  controller: AbortController;
}

function invalid(message: string, param: string | null = null): ApiError {
  return new ApiError(400, 'invalid_request_error', message, param ? { param } : {});
}

function wav(pcm: Buffer): Buffer {
  return Buffer.concat([wavHeader(STREAM_SAMPLE_RATE, pcm.length), pcm]);
}

/** Whether the 16-bit PCM holds no frame louder than SILENCE_RMS. */
export function isSilent(pcm: Buffer): boolean {
  const samples = pcm.length >> 1;
  for (let start = 0; start < samples; start += FRAME_SAMPLES) {
    const end = Math.min(samples, start + FRAME_SAMPLES);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const value = pcm.readInt16LE(i * 2) / 32768;
      sum += value * value;
    }
    if (Math.sqrt(sum / (end - start)) > SILENCE_RMS) return false;
  }
  return true;
}

/**
 * Transcription while the learner speaks. The recording is sent in pieces as it is made. Whisper (CTranslate2) always
 * encodes a 30-second window, so transcribing only the last second costs as much as the whole recording (measured on
 * tiny.en: 0.74 against 0.77 CPU seconds for the 5.7 s learner-pause sample) and a faster final pass is not to be
 * had. What can be had: a learner presses after they stop speaking, so a pass over everything up to a pause has
 * already heard everything when only quiet follows it. Passes are therefore started by pauses — as soon as the newest
 * audio ends in HEARD_QUIET_SECONDS of quiet that no pass has heard — and never while the learner speaks: such a pass
 * could never be the answer, and on a 2-core machine it takes the CPU the chat server and the voice need (passes
 * every 0.5 s also kept the one process busy at the press, so the answer waited for a stale pass, then a whole one).
 * One more pass follows once the quiet has lasted SETTLED_QUIET_SECONDS, so that a later press gets the words a
 * recording with that much quiet after them gets.
 * At the end, a pass that heard the quiet after the last word is the answer (finished, or under way and awaited);
 * otherwise one more pass over the whole recording makes it, as slow as an upload would have been, never different.
 */
export class TranscriptionStreams {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly stt: SttEngine,
    private readonly maxBytes: number,
    private readonly log: (line: string) => void,
  ) {}

  open(options: { language: string; prompt: string | null; temperature: number; format: TranscriptionFormat }): string {
    const state = this.stt.status();
    if (state.state !== 'ready') {
      throw new ApiError(503, 'engine_loading', `Transcription is not ready (${state.message ?? state.state}).`, {
        retryAfterSeconds: 5,
      });
    }
    if (!this.stt.acceptsLanguage(options.language)) {
      throw invalid('This Whisper model transcribes English only; send "language": "en".', 'language');
    }
    if (this.sessions.size >= MAX_SESSIONS) {
      throw new ApiError(503, 'queue_full', `${MAX_SESSIONS} transcription streams are open already; end one first.`, {
        retryAfterSeconds: 1,
      });
    }
    const id = randomBytes(12).toString('hex');
    const session: Session = {
      id,
      chunks: [],
      bytes: 0,
      ...options,
      latest: null,
      running: null,
      spoke: false,
      ended: false,
      idle: this.idleTimer(id),
      controller: new AbortController(),
    };
    this.sessions.set(id, session);
    return id;
  }

  /**
   * Adds a piece (an empty one only asks how far it is); returns the seconds received, those the latest finished pass
   * transcribed, and whether a pass is under way.
   */
  append(id: string, chunk: Buffer): { seconds: number; transcribed: number; passing: boolean } {
    const session = this.get(id);
    if (chunk.length % 2 !== 0) {
      throw invalid('A stream carries 16-bit PCM: each piece must be a whole number of 2-byte samples.');
    }
    if (session.bytes + chunk.length > this.maxBytes) {
      this.drop(session);
      throw new ApiError(413, 'request_too_large', 'The stream is over the upload limit (--stt-max-mb); it was ended.');
    }
    session.chunks.push(chunk);
    session.bytes += chunk.length;
    if (!session.spoke && chunk.length > 0 && !isSilent(chunk)) session.spoke = true;
    clearTimeout(session.idle);
    session.idle = this.idleTimer(id);
    this.schedule(session);
    return {
      seconds: session.bytes / BYTES_PER_SECOND,
      transcribed: session.latest?.covered ?? 0,
      passing: session.running !== null,
    };
  }

  /**
   * The final transcript: a pass that heard the quiet after the last word (finished, or under way and awaited), else
   * a pass over everything once the one under way is done.
   */
  async end(
    id: string,
    last: Buffer,
  ): Promise<{ transcript: Transcript; format: TranscriptionFormat; early: boolean }> {
    const session = this.get(id);
    if (last.length > 0) this.append(id, last);
    session.ended = true;
    clearTimeout(session.idle);
    try {
      const pcm = Buffer.concat(session.chunks);
      const duration = pcm.length / BYTES_PER_SECOND;
      if (pcm.length === 0) throw invalid('The stream carried no audio: record again.');
      if (!this.heardAll(pcm, session.latest) && session.running) await session.running.done;
      const early = this.heardAll(pcm, session.latest);
      const pass = early ? session.latest! : { covered: duration, transcript: await this.transcribe(session, pcm) };
      return {
        transcript: { ...pass.transcript, duration: Math.round(duration * 1000) / 1000 },
        format: session.format,
        early,
      };
    } finally {
      this.drop(session);
    }
  }

  /**
   * Whether a pass over the first `covered` seconds heard `quiet` seconds of quiet after the last sound of `pcm`, with
   * only quiet since.
   */
  private heardAll(pcm: Buffer, pass: { covered: number } | null, quiet = HEARD_QUIET_SECONDS): boolean {
    return (
      pass !== null &&
      pass.covered >= quiet &&
      isSilent(pcm.subarray(Math.round((pass.covered - quiet) * STREAM_SAMPLE_RATE) * 2))
    );
  }

  close(): void {
    for (const session of [...this.sessions.values()]) this.drop(session);
  }

  private get(id: string): Session {
    const session = this.sessions.get(id);
    if (!session || session.ended) {
      throw new ApiError(
        404,
        'not_found_error',
        'No such transcription stream (it ended or was idle for 30 s): open a new one.',
      );
    }
    return session;
  }

  private idleTimer(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const session = this.sessions.get(id);
      if (session) this.drop(session);
    }, IDLE_MS);
    timer.unref();
    return timer;
  }

  private drop(session: Session): void {
    clearTimeout(session.idle);
    session.ended = true;
    session.controller.abort();
    this.sessions.delete(session.id);
  }

  private transcribe(session: Session, pcm: Buffer): Promise<Transcript> {
    return this.stt.transcribe(
      {
        audio: wav(pcm),
        language: session.language,
        prompt: session.prompt,
        temperature: session.temperature,
        words: session.format === 'verbose_json',
      },
      session.controller.signal,
    );
  }

  /** The newest `bytes` of the stream, without copying all of it (pieces come every 0.1 s). */
  private tail(session: Session, bytes: number): Buffer {
    const parts: Buffer[] = [];
    let length = 0;
    for (let index = session.chunks.length - 1; index >= 0 && length < bytes; index--) {
      parts.unshift(session.chunks[index]!);
      length += session.chunks[index]!.length;
    }
    const joined = Buffer.concat(parts);
    return joined.subarray(joined.length - bytes);
  }

  /**
   * Starts a pass over what has arrived when the newest audio is a pause after speech that no pass has heard (and
   * once more when it has lasted SETTLED_QUIET_SECONDS), and none of this stream's passes is under way; a pass that finishes looks again, for a pause that came while it ran.
   */
  private schedule(session: Session): void {
    if (session.running || session.ended || !session.spoke) return;
    const pause = (seconds: number): boolean => {
      const bytes = Math.round(seconds * STREAM_SAMPLE_RATE) * 2;
      return session.bytes >= bytes && isSilent(this.tail(session, bytes));
    };
    if (!pause(HEARD_QUIET_SECONDS)) return;
    const pcm = Buffer.concat(session.chunks);
    const settled = pause(SETTLED_QUIET_SECONDS);
    if (this.heardAll(pcm, session.latest, settled ? SETTLED_QUIET_SECONDS : HEARD_QUIET_SECONDS)) return;
    const covered = pcm.length / BYTES_PER_SECOND;
    const done = this.transcribe(session, pcm)
      .then((transcript) => {
        session.latest = { covered, transcript };
      })
      .catch((error: unknown) => {
        if (!session.controller.signal.aborted) this.log(`[stt] a pass of a stream failed: ${errorMessage(error)}`);
      })
      .finally(() => {
        session.running = null;
        this.schedule(session);
      });
    session.running = { covered, done };
  }
}

async function rawBody(c: Context): Promise<Buffer> {
  return Buffer.from(await c.req.arrayBuffer());
}

/**
 * POST /v1/audio/transcriptions/stream (JSON {language, prompt, temperature, response_format}) → 201 {id, sample_rate};
 * POST /v1/audio/transcriptions/stream/:id (a piece of PCM) → 202 {seconds, transcribed}; POST …/:id/end (the rest, maybe none) →
 * the transcript, in the shape response_format asked for.
 */
export function streamHandlers(streams: TranscriptionStreams | null) {
  const ensure = (): TranscriptionStreams => {
    if (!streams) {
      throw new ApiError(404, 'not_found_error', 'Transcription is off in this companion: start it with --stt.');
    }
    return streams;
  };
  const limit = bodyLimit({
    maxSize: MAX_CHUNK_BYTES,
    onError: () =>
      new ApiError(
        413,
        'request_too_large',
        `Send a stream in pieces of at most ${MAX_CHUNK_BYTES} bytes.`,
      ).toResponse(),
  });
  return {
    open: [
      limit,
      async (c: Context) => {
        const target = ensure();
        let body: Record<string, unknown> = {};
        const text = await c.req.text();
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            throw invalid('Open a stream with a JSON object such as {"response_format": "verbose_json"}, or no body.');
          }
        }
        const format = body.response_format ?? 'json';
        if (typeof format !== 'string' || !(TRANSCRIPTION_FORMATS as readonly string[]).includes(format)) {
          throw invalid(`"response_format" must be one of ${TRANSCRIPTION_FORMATS.join(', ')}.`, 'response_format');
        }
        const temperature = body.temperature ?? 0;
        if (typeof temperature !== 'number' || temperature < 0 || temperature > 1) {
          throw invalid('"temperature" must be a number from 0 to 1.', 'temperature');
        }
        const language = typeof body.language === 'string' && body.language ? body.language.toLowerCase() : 'en';
        const id = target.open({
          language,
          prompt: typeof body.prompt === 'string' && body.prompt.trim() ? body.prompt : null,
          temperature,
          format: format as TranscriptionFormat,
        });
        return c.json({ id, sample_rate: STREAM_SAMPLE_RATE, format: 'pcm_s16le' }, 201);
      },
    ] as const,
    append: [
      limit,
      async (c: Context) => {
        return c.json(ensure().append(c.req.param('id') ?? '', await rawBody(c)), 202);
      },
    ] as const,
    end: [
      limit,
      async (c: Context) => {
        const { transcript, format, early } = await ensure().end(c.req.param('id') ?? '', await rawBody(c));
        const response = transcriptResponse(c, transcript, format, []);
        // Whether a pass made while the learner spoke was the answer (the bench and the tests read it).
        response.headers.set('X-Stream-Pass', early ? 'early' : 'whole');
        return response;
      },
    ] as const,
  };
}
