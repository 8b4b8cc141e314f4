import { ApiError } from '../errors.ts';
import { JobQueue } from '../queue.ts';
import type { SynthesisOptions } from './types.ts';

/** The speech engines' queue: one sentence a job, and one way to refuse what still waits at shutdown. */
export class SentenceQueue extends JobQueue {
  /**
   * Runs one sentence. A later sentence of a text already being spoken (options.continuation) is never refused for a
   * full queue: its request was admitted with its first sentence, and refusing it would cut the answer off mid-way.
   */
  speak<T>(task: () => Promise<T>, options: SynthesisOptions, signal: AbortSignal): Promise<T> {
    return this.run(task, signal, { bypassLimit: options.continuation });
  }

  /** Fails every sentence still waiting with a 503 (running ones are ended by their engine). */
  shutDown(): void {
    this.close(new ApiError(503, 'server_error', 'the companion is shutting down'));
  }
}
