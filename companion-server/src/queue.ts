import { ApiError, queueFull } from './errors.ts';
import type { QueueStats } from './engines/types.ts';

interface Waiter {
  start: () => void;
  reject: (reason: unknown) => void;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * First-come, first-served slots for an engine that can do `concurrency` things at once. Waiting is bounded
 * (`maxWaiting`) so a burst is refused with 503 instead of growing memory and latency without limit; a caller
 * whose signal aborts leaves the line at once.
 */
export class JobQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private closedReason: ApiError | null = null;

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  stats(): QueueStats {
    return { active: this.active, waiting: this.waiting.length, max: this.maxWaiting };
  }

  async run<T>(task: () => Promise<T>, signal: AbortSignal, options: { bypassLimit?: boolean } = {}): Promise<T> {
    await this.acquire(signal, options.bypassLimit ?? false);
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.start();
    }
  }

  /** Fails everything still waiting; running tasks finish or are ended by their owner. */
  close(reason: ApiError): void {
    this.closedReason = reason;
    for (const waiter of this.waiting.splice(0)) waiter.reject(reason);
  }

  private acquire(signal: AbortSignal, bypassLimit: boolean): Promise<void> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.concurrency && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    if (!bypassLimit && this.waiting.length >= this.maxWaiting) return Promise.reject(queueFull(this.maxWaiting));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(abortReason(signal));
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.active++;
          resolve();
        },
        reject: (reason) => {
          signal.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }
}
