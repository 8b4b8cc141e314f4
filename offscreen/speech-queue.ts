/**
 * The ordered, pipelined speech queue for one teacher reply.
 *
 * Sentences arrive from the streamed chat reply; each is synthesised as soon as the look-ahead window
 * allows, so synthesis of the next sentences overlaps playback of the current one. Audio goes to the
 * player strictly in order, the moment it is ready and its predecessor has been handed over — not when
 * the predecessor ends, because the player schedules clips back to back on one clock and waiting for
 * `ended` would put a gap between sentences. After stop() (barge-in) nothing is handed over again, even
 * if a synthesis resolves later: a stale sentence from an interrupted reply must never play.
 *
 * Generic over the audio type so the same queue runs with AudioBuffers in the offscreen document and
 * with stand-ins in Node.
 */

export interface SpeechQueueEvent {
  type: 'synth-start' | 'synth-done' | 'scheduled' | 'started' | 'ended' | 'error';
  seq: number;
  text: string;
  /** From `now()`, in milliseconds. */
  at: number;
  /** For 'synth-done': how long the synthesis took. */
  ms?: number;
  /** For 'error'. */
  error?: unknown;
}

export interface SpeechQueueOptions<A> {
  /** Fetch and decode one sentence; must honour `signal` so barge-in frees the companion at once. */
  synthesize(text: string, signal: AbortSignal): Promise<A>;
  /** Hand a clip to the player, which plays it right after the previously scheduled one. */
  schedule(audio: A, seq: number): { started: Promise<void>; ended: Promise<void> };
  /**
   * How many sentences beyond the earliest one not yet finished playing may be synthesised (or held
   * as decoded audio) at once. Default 2.
   */
  lookahead?: number;
  onEvent?(event: SpeechQueueEvent): void;
  /** Clock for event timestamps; defaults to performance.now(). */
  now?(): number;
}

export interface QueuedSentence {
  seq: number;
  text: string;
}

export interface StopResult {
  /** Sentences whose playback had started: the part of the reply the learner heard. */
  heard: number[];
  /** Everything else, including clips handed to the player that had not started (the caller silences the player). */
  unheard: number[];
}

export interface QueueResult {
  status: 'done' | 'stopped' | 'failed';
  heard: number[];
  /** Sentences that were not played, in order — on 'failed', the ones to speak some other way. */
  unplayed: QueuedSentence[];
  failedAt?: QueuedSentence & { error: unknown };
}

type Stage = 'waiting' | 'synthesizing' | 'ready' | 'scheduled' | 'started' | 'ended';

interface Item<A> extends QueuedSentence {
  stage: Stage;
  controller?: AbortController;
  audio?: A;
}

/**
 * Lifecycle: push() sentences as they complete, end() when the reply is complete, and read `finished`.
 * - 'done': end() was called and every sentence has ended.
 * - 'stopped': stop() was called; resolves at once.
 * - 'failed': a synthesis (or the player) failed at `failedAt`. Sentences before it still play; nothing
 *   from it on is synthesised or scheduled. Resolves once end() has been called (so `unplayed` holds the
 *   whole rest of the reply) and the earlier sentences have ended (so a fallback voice does not talk
 *   over them).
 * push() after end() or stop() is ignored and returns -1: the chat stream may still deliver a sentence
 * in the moment between a barge-in and its abort reaching the stream.
 * `finished` never rejects.
 */
export class SpeechQueue<A> {
  readonly finished: Promise<QueueResult>;

  private readonly options: SpeechQueueOptions<A>;
  private readonly items: Item<A>[] = [];
  private readonly lookahead: number;
  private readonly now: () => number;
  private resolveFinished!: (result: QueueResult) => void;
  private settled = false;
  private ended = false;
  private stopped = false;
  private failure?: QueuedSentence & { error: unknown };
  /** The next sequence number to hand to the player. */
  private nextToSchedule = 0;

  constructor(options: SpeechQueueOptions<A>) {
    this.options = options;
    this.lookahead = Math.max(0, options.lookahead ?? 2);
    this.now = options.now ?? (() => performance.now());
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  push(text: string): number {
    if (this.ended || this.stopped) return -1;
    const seq = this.items.length;
    this.items.push({ seq, text, stage: 'waiting' });
    this.advance();
    return seq;
  }

  end(): void {
    if (this.ended || this.stopped) return;
    this.ended = true;
    this.advance();
  }

  stop(): StopResult {
    const heard = this.heard();
    const unheard = this.items.filter((item) => !heard.includes(item.seq)).map((item) => item.seq);
    if (this.stopped || this.settled) return { heard, unheard };
    this.stopped = true;
    this.abortFrom(0);
    this.settle('stopped');
    return { heard, unheard };
  }

  private heard(): number[] {
    return this.items.filter((item) => item.stage === 'started' || item.stage === 'ended').map((item) => item.seq);
  }

  /** First sentence that has not finished playing; the look-ahead window is measured from it. */
  private head(): number {
    const index = this.items.findIndex((item) => item.stage !== 'ended');
    return index === -1 ? this.items.length : index;
  }

  private limit(): number {
    return this.failure ? this.failure.seq : this.items.length;
  }

  private advance(): void {
    if (this.stopped || this.settled) return;
    const windowEnd = Math.min(this.head() + this.lookahead + 1, this.limit());
    for (let seq = this.head(); seq < windowEnd; seq++) {
      const item = this.items[seq];
      if (item?.stage === 'waiting') this.startSynthesis(item);
    }
    this.scheduleReady();
    this.settleIfComplete();
  }

  private startSynthesis(item: Item<A>): void {
    const controller = new AbortController();
    item.controller = controller;
    item.stage = 'synthesizing';
    const startedAt = this.emit('synth-start', item);
    let pending: Promise<A>;
    try {
      pending = this.options.synthesize(item.text, controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (audio) => {
        if (controller.signal.aborted || this.stopped) return;
        item.audio = audio;
        item.stage = 'ready';
        this.emit('synth-done', item, { ms: this.now() - startedAt });
        this.advance();
      },
      (error: unknown) => {
        // An aborted synthesis is the queue's own doing, not a failure.
        if (controller.signal.aborted || this.stopped) return;
        this.fail(item, error);
      },
    );
  }

  private scheduleReady(): void {
    for (;;) {
      const item = this.items[this.nextToSchedule];
      if (!item || item.stage !== 'ready' || item.seq >= this.limit()) return;
      const audio = item.audio as A;
      item.audio = undefined;
      item.stage = 'scheduled';
      this.nextToSchedule++;
      let playback: { started: Promise<void>; ended: Promise<void> };
      try {
        playback = this.options.schedule(audio, item.seq);
      } catch (error) {
        this.fail(item, error);
        return;
      }
      this.emit('scheduled', item);
      playback.started.then(
        () => this.markStarted(item),
        (error: unknown) => this.fail(item, error),
      );
      playback.ended.then(
        () => {
          if (this.stopped) return;
          this.markStarted(item);
          item.stage = 'ended';
          this.emit('ended', item);
          this.advance();
        },
        (error: unknown) => this.fail(item, error),
      );
    }
  }

  private markStarted(item: Item<A>): void {
    // Once stopped, the heard part is fixed: the caller has silenced the player.
    if (this.stopped || item.stage === 'started' || item.stage === 'ended') return;
    item.stage = 'started';
    this.emit('started', item);
  }

  private fail(item: Item<A>, error: unknown): void {
    if (this.stopped || this.settled) return;
    // Keep the earliest failure: sentences before it may still play in order.
    if (this.failure && this.failure.seq <= item.seq) return;
    this.failure = { seq: item.seq, text: item.text, error };
    this.emit('error', item, { error });
    this.abortFrom(item.seq);
    this.advance();
  }

  private abortFrom(seq: number): void {
    for (const item of this.items.slice(seq)) {
      if (item.stage === 'synthesizing' || item.stage === 'ready') {
        item.controller?.abort();
        item.audio = undefined;
        item.stage = 'waiting';
      }
    }
  }

  private settleIfComplete(): void {
    if (!this.ended) return;
    const limit = this.limit();
    const before = this.items.slice(0, limit);
    if (before.every((item) => item.stage === 'ended')) this.settle(this.failure ? 'failed' : 'done');
  }

  private settle(status: QueueResult['status']): void {
    if (this.settled) return;
    this.settled = true;
    const heard = this.heard();
    const result: QueueResult = {
      status,
      heard,
      unplayed: this.items.filter((item) => !heard.includes(item.seq)).map(({ seq, text }) => ({ seq, text })),
    };
    if (status === 'failed' && this.failure) result.failedAt = this.failure;
    this.resolveFinished(result);
  }

  private emit(type: SpeechQueueEvent['type'], item: Item<A>, extra: Partial<SpeechQueueEvent> = {}): number {
    const at = this.now();
    this.options.onEvent?.({ type, seq: item.seq, text: item.text, at, ...extra });
    return at;
  }
}
