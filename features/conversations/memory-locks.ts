/**
 * The Web Locks API (navigator.locks) in memory, for one JavaScript realm: exclusive locks, granted
 * in the order they were asked for; `ifAvailable`; `signal` to give up waiting; a lock is held until
 * the promise its callback returned settles. Chrome gives every extension page navigator.locks; this
 * serves where there is none (happy-dom, where the panel's store is tested, has `navigator.locks ===
 * null`), and `panel()` lets a test stand several panels on one lock manager and close one, as
 * Chrome releases the locks of a page that closes or crashes.
 */
export class MemoryLocks implements Pick<LockManager, 'request'> {
  private readonly holders = new Map<string, LockHolder>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly own = new LockHolder(this);

  /** The locks of one page: `close()` releases what it holds and forgets what it waits for. */
  panel(): LockHolder {
    return new LockHolder(this);
  }

  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(
    name: string,
    optionsOrCallback: LockOptions | LockGrantedCallback<T>,
    callback?: LockGrantedCallback<T>,
  ): Promise<T> {
    return this.own.request(name, optionsOrCallback as LockOptions, callback as LockGrantedCallback<T>);
  }

  /** @internal */
  ask<T>(holder: LockHolder, name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<T> {
    if (options.mode === 'shared' || options.steal) {
      return Promise.reject(new Error('MemoryLocks has exclusive locks only'));
    }
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        let settled: Promise<T>;
        try {
          settled = Promise.resolve(callback({ name, mode: 'exclusive' }));
        } catch (error) {
          settled = Promise.reject(error);
        }
        settled.then(resolve, reject).finally(() => this.release(name, holder));
      };
      const queue = this.queues.get(name) ?? [];
      const free = !this.holders.has(name) && queue.length === 0;
      if (free) {
        // Taken now, so a request made in the same task finds it held; the callback runs later, as in a browser.
        this.take(name, holder);
        queueMicrotask(run);
        return;
      }
      if (options.ifAvailable) {
        queueMicrotask(() => {
          try {
            Promise.resolve(callback(null)).then(resolve, reject);
          } catch (error) {
            reject(error);
          }
        });
        return;
      }
      const waiter: Waiter = { holder, run };
      options.signal?.addEventListener('abort', () => {
        if (!this.forget(name, waiter)) return;
        reject(options.signal?.reason ?? new DOMException('The request was aborted.', 'AbortError'));
      });
      queue.push(waiter);
      this.queues.set(name, queue);
    });
  }

  /** @internal */
  close(holder: LockHolder): void {
    for (const [name, queue] of this.queues) {
      this.queues.set(
        name,
        queue.filter((waiter) => waiter.holder !== holder),
      );
    }
    for (const [name, owner] of [...this.holders]) if (owner === holder) this.release(name, holder);
  }

  private take(name: string, holder: LockHolder): void {
    this.holders.set(name, holder);
  }

  private forget(name: string, waiter: Waiter): boolean {
    const queue = this.queues.get(name) ?? [];
    const index = queue.indexOf(waiter);
    if (index === -1) return false;
    queue.splice(index, 1);
    return true;
  }

  private release(name: string, holder: LockHolder): void {
    if (this.holders.get(name) !== holder) return; // already released when its page closed
    this.holders.delete(name);
    const next = this.queues.get(name)?.shift();
    if (!next) return;
    this.take(name, next.holder);
    queueMicrotask(next.run);
  }
}

interface Waiter {
  holder: LockHolder;
  run(): void;
}

/** One page's view of a MemoryLocks: what navigator.locks is to that page. */
export class LockHolder implements Pick<LockManager, 'request'> {
  private closed = false;

  constructor(private readonly manager: MemoryLocks) {}

  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(
    name: string,
    optionsOrCallback: LockOptions | LockGrantedCallback<T>,
    callback?: LockGrantedCallback<T>,
  ): Promise<T> {
    const [options, granted] =
      typeof optionsOrCallback === 'function' ? [{}, optionsOrCallback] : [optionsOrCallback, callback!];
    // A closed page asks for nothing: its requests never settle, as nothing runs in it any more.
    if (this.closed) return new Promise<T>(() => undefined);
    return this.manager.ask(this, name, options, granted);
  }

  /** The page closed or crashed: its locks are released, its waiting requests dropped. */
  close(): void {
    this.closed = true;
    this.manager.close(this);
  }
}
