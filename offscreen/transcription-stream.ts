import type { TranscriptionStreamConfig } from '../core/messages';

/**
 * The learner's audio sent to the companion while they speak (issue 22): 16 kHz 16-bit mono PCM pieces to its
 * streaming endpoint (companion-server/README.md, "Transcribed while the learner speaks"), so that at the second
 * press only the rest is sent and the companion, which transcribed when the learner paused, answers at once. It never
 * fails the turn: any refusal or error stops it, `end()` gives null, and the panel uploads the whole recording.
 */

/** What the companion's stream takes (companion-server/src/stt/stream.ts). */
export const STREAM_SAMPLE_RATE = 16_000;
/**
 * A tenth of a second per piece: the companion starts its pass once a piece brings 0.3 s of quiet after speech, so
 * the smaller the piece, the sooner after the last word that pass begins (at most 0.1 s late rather than 0.25 s).
 */
const PIECE_SAMPLES = STREAM_SAMPLE_RATE / 10;
/** The companion answers the end within a pass of Whisper; past this the whole upload is the quicker way. */
const END_TIMEOUT_MS = 15_000;

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Brings the microphone's rate down to 16 kHz by averaging each output period's input samples (a box filter: enough
 * against aliasing for Whisper, which listens below 8 kHz), across the pieces the tap delivers.
 */
export class Downsampler {
  private sum = 0;
  private count = 0;
  private position = 0;
  private next: number;

  constructor(private readonly step: number) {
    this.next = step;
  }

  push(samples: Float32Array): Int16Array {
    const out = new Int16Array(Math.ceil(samples.length / this.step) + 1);
    let written = 0;
    for (const sample of samples) {
      this.sum += sample;
      this.count++;
      this.position++;
      if (this.position >= this.next) {
        const mean = Math.max(-1, Math.min(1, this.sum / this.count));
        out[written++] = Math.round(mean * 32767);
        this.sum = 0;
        this.count = 0;
        this.next += this.step;
      }
    }
    return out.subarray(0, written);
  }
}

export class TranscriptionStream {
  /** Why the stream stopped, once it did; the panel then uploads the whole recording. */
  failure: string | undefined;
  private readonly abort = new AbortController();
  private readonly opened: Promise<string | undefined>;
  private downsampler: Downsampler | undefined;
  private rate = 0;
  private pending: Int16Array[] = [];
  private pendingSamples = 0;
  private sending: Promise<void> | undefined;
  private ended = false;

  constructor(
    private readonly config: TranscriptionStreamConfig,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {
    this.opened = this.request('', {
      'Content-Type': 'application/json',
      body: JSON.stringify({
        response_format: 'verbose_json',
        language: 'en',
        temperature: 0,
        ...(config.prompt ? { prompt: config.prompt } : {}),
      }),
    })
      .then(async (response) => {
        if (!response) return undefined;
        const { id } = (await response.json()) as { id?: unknown };
        if (typeof id !== 'string') throw new Error('the companion opened no stream');
        return id;
      })
      .catch((error: unknown) => this.fail(error));
  }

  /** Samples as the microphone's tap gives them (Float32, at the audio context's rate). */
  push(samples: Float32Array, sampleRate: number): void {
    if (this.failure !== undefined || this.ended) return;
    if (!this.downsampler || sampleRate !== this.rate) {
      if (this.downsampler || sampleRate < STREAM_SAMPLE_RATE) {
        this.fail(new Error(`the microphone runs at ${sampleRate} Hz`));
        return;
      }
      this.rate = sampleRate;
      this.downsampler = new Downsampler(sampleRate / STREAM_SAMPLE_RATE);
    }
    const pcm = this.downsampler.push(samples);
    if (pcm.length === 0) return;
    this.pending.push(pcm);
    this.pendingSamples += pcm.length;
    this.sendPiece();
  }

  /**
   * The second press: the rest is sent and the transcript answered (verbose_json's body), or null when the stream
   * failed at any point (`failure` says why).
   */
  async end(): Promise<unknown> {
    this.ended = true;
    const id = await this.opened;
    while (this.sending) await this.sending;
    if (id === undefined || this.failure !== undefined) return null;
    const timer = setTimeout(() => this.abort.abort(), END_TIMEOUT_MS);
    try {
      const response = await this.request(`/${id}/end`, this.takePending());
      return response ? ((await response.json()) as unknown) : null;
    } catch (error) {
      this.fail(error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The turn was thrown away: nothing more is sent (the companion drops an idle stream by itself). */
  cancel(): void {
    this.ended = true;
    this.failure ??= 'cancelled';
    this.abort.abort();
  }

  /** One piece in flight at a time, so they arrive in order. */
  private sendPiece(): void {
    if (this.sending || this.pendingSamples < PIECE_SAMPLES || this.ended) return;
    this.sending = (async () => {
      const id = await this.opened;
      if (id === undefined || this.failure !== undefined) return;
      await this.request(`/${id}`, this.takePending());
    })()
      .catch((error: unknown) => void this.fail(error))
      .finally(() => {
        this.sending = undefined;
        this.sendPiece();
      });
  }

  private takePending(): { 'Content-Type': string; body: Uint8Array<ArrayBuffer> } {
    const all = new Int16Array(this.pendingSamples);
    let offset = 0;
    for (const piece of this.pending) {
      all.set(piece, offset);
      offset += piece.length;
    }
    this.pending = [];
    this.pendingSamples = 0;
    // Little-endian, as every platform Chrome runs on stores an Int16Array.
    return { 'Content-Type': 'audio/pcm', body: new Uint8Array(all.buffer) };
  }

  private async request(
    path: string,
    { 'Content-Type': type, body }: { 'Content-Type': string; body: BodyInit },
  ): Promise<Response | undefined> {
    if (this.failure !== undefined) return undefined;
    const headers: Record<string, string> = { 'Content-Type': type };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    const response = await this.fetcher(`${this.config.companionUrl}/v1/audio/transcriptions/stream${path}`, {
      method: 'POST',
      headers,
      body,
      signal: this.abort.signal,
    });
    if (!response.ok) {
      const detail = await response.text().catch(() => '');
      throw new Error(`the companion answered ${response.status} ${detail.slice(0, 200)}`);
    }
    return response;
  }

  private fail(error: unknown): undefined {
    this.failure ??= error instanceof Error ? error.message : String(error);
    return undefined;
  }
}
