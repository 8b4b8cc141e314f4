import { afterEach, describe, expect, it, vi } from 'vitest';
import { deferRendering, holdRenders, holdRendersFor, MAX_HOLD_MS } from './render-gate';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('render gate: a barge-in stop leaves before the panel redraws', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a queued redraw in a microtask when nothing is held, as Preact does by default', async () => {
    const flush = vi.fn();
    deferRendering(flush);
    expect(flush).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('holds a redraw queued in the same task as the stop until the stop has settled', async () => {
    const order: string[] = [];
    let answer!: () => void;
    const stop = new Promise<void>((resolve) => (answer = resolve));
    // The state change queues the redraw first; the stop is sent after it, in the same task.
    deferRendering(() => order.push('redraw'));
    holdRendersFor(stop.then(() => order.push('voice silent')));
    await settle();
    expect(order).toEqual([]);
    answer();
    await settle();
    expect(order).toEqual(['voice silent', 'redraw']);
  });

  it('redraws even if the stop fails', async () => {
    const flush = vi.fn();
    holdRendersFor(Promise.reject(new Error('the recording document is gone')));
    deferRendering(flush);
    await settle();
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it(`never holds a redraw longer than ${MAX_HOLD_MS} ms, even if the stop never answers`, async () => {
    vi.useFakeTimers();
    const flush = vi.fn();
    holdRendersFor(new Promise(() => undefined));
    deferRendering(flush);
    await vi.advanceTimersByTimeAsync(MAX_HOLD_MS - 1);
    expect(flush).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('lets redraws run at once again after the hold', async () => {
    holdRendersFor(Promise.resolve());
    await settle();
    const flush = vi.fn();
    deferRendering(flush);
    await Promise.resolve();
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('waits for every hold that is on, not only the latest', async () => {
    const flush = vi.fn();
    const releaseUpload = holdRenders();
    const releaseRequest = holdRenders();
    deferRendering(flush);
    releaseRequest();
    await settle();
    expect(flush).not.toHaveBeenCalled();
    releaseUpload();
    await settle();
    expect(flush).toHaveBeenCalledTimes(1);
  });
});
