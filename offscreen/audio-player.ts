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
