import type { PlayerContext, PlayerSource } from '../../offscreen/audio-player';
import type { Microphone, RecordingHandlers } from '../../offscreen/microphone';

/**
 * Stand-ins for what only a browser has — a microphone and an AudioContext — shared by the
 * tests of the recorder, the player, and the panel driving the real offscreen service.
 */

export const RATE = 48_000;
const FRAME = 1024;

/** A microphone stand-in: the test plays frames into it and sees whether it was released. */
export class FakeMicrophone implements Microphone {
  released = false;
  tapClosed = false;
  recording = false;
  private handlers: RecordingHandlers | undefined;
  private onFrame: ((samples: Float32Array, sampleRate: number) => void) | undefined;

  record(_timesliceMs: number, handlers: RecordingHandlers) {
    this.handlers = handlers;
    this.recording = true;
    return {
      mimeType: 'audio/webm;codecs=opus',
      stop: () => {
        // Like MediaRecorder: the last chunk and the 'stop' event come asynchronously.
        setTimeout(() => {
          handlers.onData(new Blob([new Uint8Array([9, 9, 9])]));
          this.recording = false;
          handlers.onStop();
        }, 5);
      },
    };
  }

  tap(onFrame: (samples: Float32Array, sampleRate: number) => void) {
    this.onFrame = onFrame;
    return async () => {
      this.tapClosed = true;
    };
  }

  release(): void {
    this.released = true;
  }

  chunk(bytes: number[]): void {
    this.handlers?.onData(new Blob([new Uint8Array(bytes)]));
  }

  fail(message: string): void {
    this.handlers?.onError(message);
  }

  /** Plays `ms` of a tone at the given RMS level (0 = digital silence, tiny = room noise). */
  play(ms: number, rms: number): void {
    const frames = Math.round((ms / 1000) * (RATE / FRAME));
    for (let f = 0; f < frames; f++) {
      const samples = new Float32Array(FRAME);
      for (let i = 0; i < FRAME; i++)
        samples[i] = rms * Math.SQRT2 * Math.sin((2 * Math.PI * 200 * (f * FRAME + i)) / RATE);
      this.onFrame?.(samples, RATE);
    }
  }
}

export interface Clip {
  readonly duration: number;
  readonly text: string;
}

/**
 * An AudioContext stand-in whose clock is the (faked) wall clock: sources "play" by firing
 * 'ended' at start time + duration, unless stopped first.
 */
export class FakeContext implements PlayerContext<Clip> {
  readonly state = 'running' as const;
  readonly sources: FakeSource[] = [];
  closed = false;
  constructor(readonly sampleRate = 48_000) {}
  async close(): Promise<void> {
    this.closed = true;
  }
  private readonly t0 = Date.now();
  get currentTime(): number {
    return (Date.now() - this.t0) / 1000;
  }
  createSource(): PlayerSource<Clip> {
    const source = new FakeSource(this);
    this.sources.push(source);
    return source;
  }
  async decode(bytes: ArrayBuffer): Promise<Clip> {
    const [duration, text] = JSON.parse(new TextDecoder().decode(bytes)) as [number, string];
    return { duration, text };
  }
  async resume(): Promise<void> {}
  /** What was audible at context time t. */
  audibleAt(t: number): string[] {
    return this.sources
      .filter((s) => s.startedAt !== undefined && s.buffer && s.startedAt <= t && t < s.startedAt + s.buffer.duration)
      .filter((s) => s.stoppedAt === undefined || t < s.stoppedAt)
      .map((s) => s.buffer!.text);
  }
}

export class FakeSource implements PlayerSource<Clip> {
  buffer: Clip | null = null;
  startedAt: number | undefined;
  stoppedAt: number | undefined;
  private listeners: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly context: FakeContext) {}
  start(when: number): void {
    this.startedAt = when;
    const endsInMs = (when + (this.buffer?.duration ?? 0) - this.context.currentTime) * 1000;
    this.timer = setTimeout(() => this.listeners.forEach((listener) => listener()), endsInMs);
  }
  stop(): void {
    this.stoppedAt = this.context.currentTime;
    clearTimeout(this.timer);
    // Like the real node, a stopped source still fires 'ended'.
    setTimeout(() => this.listeners.forEach((listener) => listener()), 0);
  }
  disconnect(): void {}
  addEventListener(_type: 'ended', listener: () => void): void {
    this.listeners.push(listener);
  }
  removeEventListener(_type: 'ended', listener: () => void): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }
}

export const clip = (text: string, duration: number): Clip => ({ text, duration });

/**
 * BroadcastChannel between documents of one origin, in memory: a message reaches every other
 * open channel of the same name a moment later (a task, as in a browser), objects by reference.
 * For test environments whose own Blob cannot be cloned (happy-dom).
 */
export class FakeBroadcastChannel {
  private static readonly open = new Set<FakeBroadcastChannel>();
  onmessage: ((event: MessageEvent<unknown>) => void) | null = null;

  constructor(readonly name: string) {
    FakeBroadcastChannel.open.add(this);
  }

  postMessage(data: unknown): void {
    for (const other of FakeBroadcastChannel.open) {
      if (other === this || other.name !== this.name) continue;
      setTimeout(() => other.onmessage?.({ data } as MessageEvent<unknown>), 0);
    }
  }

  close(): void {
    FakeBroadcastChannel.open.delete(this);
  }
}
