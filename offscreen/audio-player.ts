import { now, type CompanionTarget, type SpeakRequest, type SpeechEvent, type StopSpeechReply } from '../core/messages';
import { CLAUSE_PAUSE_MS, endsMidSentence } from '../common/sentence-splitter';
import { SpeechQueue } from './speech-queue';
import { t } from '../core/i18n';
import { readPcmWav, wavSampleRate } from './wav-pcm';

/**
 * Plays the teacher's sentences back to back on one AudioContext, so consecutive sentences join
 * without a gap, and silences all of them at once for barge-in.
 */

export interface PlaybackHandle {
  /** Resolves when the clip begins to sound; never, if it was stopped before. */
  started: Promise<void>;
  /** Resolves when the clip has finished playing or was stopped. */
  ended: Promise<void>;
}

/** The parts of an AudioBufferSourceNode the player uses. */
export interface PlayerSource<B> {
  buffer: B | null;
  start(when: number): void;
  stop(): void;
  disconnect(): void;
  addEventListener(type: 'ended', listener: () => void): void;
  removeEventListener(type: 'ended', listener: () => void): void;
}

/** The parts of an AudioContext the player uses; tests pass a stand-in with a hand-driven clock. */
export interface PlayerContext<B> {
  readonly currentTime: number;
  readonly state: AudioContextState;
  readonly sampleRate: number;
  /** A new source, already connected to the speakers. */
  createSource(): PlayerSource<B>;
  decode(bytes: ArrayBuffer): Promise<B>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The browser's audio output. Made at the voice's own sample rate (when known), a clip in that
 * rate becomes a buffer by copying its samples (offscreen/wav-pcm.ts) instead of being decoded and
 * resampled whole before it can start; the output device resamples as it plays, with Chromium's
 * sinc resampler, a few samples at a time. Any other clip is decoded (and resampled) as before.
 */
export function browserPlayerContext(sampleRate?: number): PlayerContext<AudioBuffer> {
  const context = new AudioContext(sampleRate ? { sampleRate } : undefined);
  return {
    get currentTime() {
      return context.currentTime;
    },
    get state() {
      return context.state;
    },
    get sampleRate() {
      return context.sampleRate;
    },
    createSource() {
      const source = context.createBufferSource();
      source.connect(context.destination);
      return source;
    },
    decode: async (bytes) => {
      const pcm = readPcmWav(bytes, context.sampleRate);
      if (!pcm) return context.decodeAudioData(bytes);
      const buffer = context.createBuffer(pcm.channels, Math.max(1, pcm.frames), pcm.sampleRate);
      pcm.channelData.forEach((samples, channel) => buffer.copyToChannel(samples, channel));
      return buffer;
    },
    resume: () => context.resume(),
    close: () => context.close(),
  };
}

/** Where the player keeps the sample rate of the voice it last played (across document restarts). */
export interface VoiceRateMemory {
  load(): number | undefined;
  save(rate: number): void;
}

export function memoryVoiceRate(initial?: number): VoiceRateMemory {
  let rate = initial;
  return {
    load: () => rate,
    save: (value) => {
      rate = value;
    },
  };
}

interface Playing {
  source: PlayerSource<unknown>;
  timer: ReturnType<typeof setTimeout> | undefined;
  onEnded: () => void;
  finish(): void;
}

export class AudioPlayer<B extends { readonly duration: number } = AudioBuffer> {
  private context: PlayerContext<B> | undefined;
  /** Context time at which the last scheduled clip ends. */
  private playhead = 0;
  private readonly playing = new Set<Playing>();

  constructor(
    private readonly createContext: (sampleRate?: number) => PlayerContext<B>,
    private readonly voiceRate: VoiceRateMemory = memoryVoiceRate(),
  ) {}

  /** Whether any clip is playing or waiting for its turn. */
  get busy(): boolean {
    return this.playing.size > 0;
  }

  /** A clip ready to schedule; a voice at a new sample rate is remembered for the next output. */
  decode(bytes: ArrayBuffer): Promise<B> {
    const rate = wavSampleRate(bytes);
    if (rate !== undefined && rate !== this.voiceRate.load()) this.voiceRate.save(rate);
    return this.ctx().decode(bytes);
  }

  /**
   * Plays `clip` right after the previously scheduled one (after `pauseMs` of quiet, when it
   * continues a clause), or now if nothing is playing.
   */
  schedule(clip: B, pauseMs = 0): PlaybackHandle {
    const context = this.ctx();
    const startAt = Math.max(context.currentTime, this.playhead + pauseMs / 1000);
    this.playhead = startAt + clip.duration;
    const source = context.createSource();
    source.buffer = clip;

    let markStarted = (): void => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let markEnded = (): void => undefined;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const entry: Playing = {
      source,
      timer: undefined,
      onEnded: () => {
        markStarted();
        entry.finish();
      },
      finish: () => {
        if (!this.playing.delete(entry)) return;
        clearTimeout(entry.timer);
        source.removeEventListener('ended', entry.onEnded);
        source.disconnect();
        markEnded();
      },
    };
    this.playing.add(entry);
    source.addEventListener('ended', entry.onEnded);
    source.start(startAt);

    // AudioBufferSourceNode has no 'started' event; the context clock says when it will sound.
    const delayMs = (startAt - context.currentTime) * 1000;
    if (delayMs <= 1) markStarted();
    else entry.timer = setTimeout(markStarted, delayMs);
    return { started, ended };
  }

  /** Silences every clip now, including those waiting for their turn. */
  stopAll(): void {
    for (const entry of [...this.playing]) {
      try {
        entry.source.stop();
      } catch {
        // A source that already ended cannot be stopped; it is silent either way.
      }
      entry.finish();
    }
    this.playhead = 0;
  }

  /**
   * Makes the audio output ready before the first clip is due (called when the learner starts
   * speaking), so the first reply after opening does not also pay for starting the audio device.
   */
  warm(): void {
    // An output at another rate than the voice's is replaced while it is silent, so the next
    // reply's clips need no resampling before they start.
    const rate = this.voiceRate.load();
    if (this.context && rate !== undefined && this.context.sampleRate !== rate && !this.busy) {
      this.context.close().catch(() => undefined);
      this.context = undefined;
      this.playhead = 0;
    }
    this.ctx();
  }

  private ctx(): PlayerContext<B> {
    this.context ??= this.createContext(this.voiceRate.load());
    // A context created without a user gesture may start suspended; resuming is harmless otherwise.
    if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    return this.context;
  }
}

/** The companion server could not be reached at all (not running, wrong port, blocked). */
export class CompanionUnreachableError extends Error {
  override name = 'CompanionUnreachableError';
}

/**
 * Asks the companion's OpenAI-compatible speech endpoint for one sentence as WAV. A fetch that
 * fails outright (connection refused) becomes CompanionUnreachableError, so the panel can fall
 * back to the browser's own voice and say how to start the companion.
 */
export async function fetchSpeech(
  companion: CompanionTarget,
  text: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<ArrayBuffer> {
  const base = companion.url.replace(/\/+$/, '');
  const body: Record<string, string | number> = { model: 'tts-1', input: text, response_format: 'wav' };
  if (companion.voice) body.voice = companion.voice;
  if (Number.isFinite(companion.speed) && companion.speed > 0) body.speed = companion.speed;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (companion.token) headers.Authorization = `Bearer ${companion.token}`;
  let response: Response;
  try {
    response = await fetchImpl(`${base}/v1/audio/speech`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new CompanionUnreachableError(`The voice server at ${base} cannot be reached.`, { cause: error });
  }
  if (!response.ok) {
    const detail = await response.text().catch(() => '');
    throw new Error(
      t('banner.voiceServerStatus', { status: response.status, detail: errorMessage(detail) || response.statusText }),
    );
  }
  return response.arrayBuffer();
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // Not JSON: show the start of the text itself.
  }
  return body.slice(0, 200);
}

const ABANDONED_TURN_MS = 30_000;

interface Turn<B> {
  id: string;
  /** The panel that asked for this reply; only it may stop it. */
  panelId: string;
  queue: SpeechQueue<B>;
  companion: CompanionTarget;
  /** The text of each sentence by sequence number, to hear where a clause was cut off its sentence. */
  texts: string[];
}

/**
 * The teacher's voice for one reply at a time: each 'offscreen:speak' sentence goes into a
 * SpeechQueue (synthesis of the next sentences overlaps playback of this one), and the queue's
 * progress goes to the panel as SpeechEvents. A new turn, or a barge-in, silences the old one at once.
 */
export class TeacherVoice<B extends { readonly duration: number } = AudioBuffer> {
  private turn: Turn<B> | undefined;
  /**
   * Turns that are over. The chat stream may still deliver a sentence of a reply just
   * interrupted, in the moment before its abort lands; that sentence must not start a new queue.
   */
  private readonly closed: string[] = [];
  private lastActivity = Date.now();

  constructor(
    private readonly player: AudioPlayer<B>,
    private readonly report: (event: SpeechEvent) => void,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /**
   * A reply whose panel went away before ending it (closed mid-stream) would otherwise count as
   * speaking for ever and keep the offscreen document alive; silent this long, it is abandoned.
   */
  get speaking(): boolean {
    return this.player.busy || (this.turn !== undefined && Date.now() - this.lastActivity < ABANDONED_TURN_MS);
  }

  private emit(event: SpeechEvent): void {
    this.lastActivity = Date.now();
    this.report(event);
  }

  /** Queues one sentence; returns its sequence number in the turn (-1 if the turn has ended). */
  speak(request: SpeakRequest): number {
    this.lastActivity = Date.now();
    if (this.closed.includes(request.turnId)) return -1;
    if (this.turn?.id !== request.turnId) {
      // A new reply replaces the old one, whoever's it was: its panel hears 'finished: stopped'.
      this.stop();
      this.turn = this.startTurn(request.turnId, request.panelId, request.companion);
    }
    this.turn.companion = request.companion;
    const seq = this.turn.queue.push(request.text);
    if (seq >= 0) this.turn.texts[seq] = request.text;
    return seq;
  }

  end(turnId: string): void {
    if (this.turn?.id === turnId) this.turn.queue.end();
  }

  /** The panel whose reply is being spoken, if any. */
  get owner(): string | undefined {
    return this.turn?.panelId;
  }

  /**
   * Barge-in: nothing of the current turn plays now or later. With `panelId`, only that panel's
   * reply is stopped: a panel in another window does not silence this one's teacher.
   */
  stop(panelId?: string): StopSpeechReply {
    if (panelId !== undefined && this.turn && this.turn.panelId !== panelId) {
      return { turnId: null, heard: [], stoppedAt: now() };
    }
    const turn = this.turn;
    this.turn = undefined;
    if (turn) this.close(turn.id);
    // The queue first, so no sentence is handed to the player between the two calls.
    const heard = turn ? turn.queue.stop().heard : [];
    this.player.stopAll();
    return { turnId: turn?.id ?? null, heard, stoppedAt: now() };
  }

  private close(turnId: string): void {
    if (this.closed.includes(turnId)) return;
    this.closed.push(turnId);
    if (this.closed.length > 50) this.closed.shift();
  }

  private startTurn(turnId: string, panelId: string, companion: CompanionTarget): Turn<B> {
    const turn: Turn<B> = {
      id: turnId,
      panelId,
      companion,
      texts: [],
      queue: new SpeechQueue<B>({
        synthesize: async (text, signal) => {
          const bytes = await fetchSpeech(turn.companion, text, signal, this.fetchImpl);
          return this.player.decode(bytes);
        },
        schedule: (clip, seq) =>
          this.player.schedule(clip, endsMidSentence(turn.texts[seq - 1] ?? '') ? CLAUSE_PAUSE_MS : 0),
        now,
        onEvent: (event) => {
          if (event.type === 'synth-done') {
            this.emit({ type: 'synthesized', turnId, seq: event.seq, at: event.at, ms: Math.round(event.ms ?? 0) });
          } else if (event.type === 'started' || event.type === 'ended') {
            this.emit({ type: event.type, turnId, seq: event.seq, at: event.at });
          } else if (event.type === 'error' && event.seq === 0 && this.turn === turn) {
            // The first sentence failed, so nothing of this reply can play before the failure: hand
            // the reply to another voice now, not after the whole reply has streamed in.
            this.turn = undefined;
            this.close(turnId);
            turn.queue.stop();
            this.emit({
              type: 'failed',
              turnId,
              seq: 0,
              message: event.error instanceof Error ? event.error.message : String(event.error),
              unplayed: [],
              companionUnreachable: event.error instanceof CompanionUnreachableError,
            });
          }
        },
      }),
    };
    void turn.queue.finished.then((result) => {
      this.close(turnId);
      if (this.turn === turn) this.turn = undefined;
      if (result.status === 'failed' && result.failedAt) {
        const error = result.failedAt.error;
        this.emit({
          type: 'failed',
          turnId,
          seq: result.failedAt.seq,
          message: error instanceof Error ? error.message : String(error),
          unplayed: result.unplayed.map((sentence) => sentence.text),
          companionUnreachable: error instanceof CompanionUnreachableError,
        });
      }
      this.emit({ type: 'finished', turnId, status: result.status, heard: result.heard });
    });
    return turn;
  }
}
