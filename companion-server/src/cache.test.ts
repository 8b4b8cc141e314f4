import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioCache } from './cache.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-cache-test-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parts = { engine: 'espeak', model: 'espeak-ng', voice: 'en-us', speed: 1, format: 'wav', text: 'Hello.' };

describe('audio cache', () => {
  it('keys on every field that changes the audio', async () => {
    const cache = await AudioCache.open(dir, 1000);
    const base = cache.key(parts);
    for (const change of [
      { engine: 'coqui' },
      { model: 'x' },
      { voice: 'en-gb' },
      { speed: 1.25 },
      { format: 'mp3' },
      { text: 'Hello!' },
    ]) {
      expect(cache.key({ ...parts, ...change })).not.toBe(base);
    }
    expect(cache.key({ ...parts })).toBe(base);
  });

  it('evicts the least recently used entries to stay within its size, and survives a restart', async () => {
    const cache = await AudioCache.open(dir, 300);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((text) => cache.key({ ...parts, text }));
    await cache.put(a!, Buffer.alloc(100, 1));
    await cache.put(b!, Buffer.alloc(100, 2));
    await cache.put(c!, Buffer.alloc(100, 3));
    expect(await cache.get(a!)).toEqual(Buffer.alloc(100, 1));
    await cache.put(d!, Buffer.alloc(100, 4));
    // b was the least recently used once a was read again.
    expect(await cache.get(b!)).toBeNull();
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 300, evictions: 1 });
    expect((await readdir(dir)).length).toBe(3);

    const reopened = await AudioCache.open(dir, 300);
    expect(await reopened.get(d!)).toEqual(Buffer.alloc(100, 4));
    expect(reopened.stats()).toMatchObject({ entries: 3, bytes: 300, hits: 1 });
  });

  it('never stores an entry larger than the whole cache, and stores nothing when off', async () => {
    const small = await AudioCache.open(dir, 50);
    await small.put(small.key(parts), Buffer.alloc(51));
    expect(small.stats().entries).toBe(0);
    const off = await AudioCache.open(path.join(dir, 'off'), 0);
    await off.put(off.key(parts), Buffer.alloc(10));
    expect(await off.get(off.key(parts))).toBeNull();
    expect(off.enabled).toBe(false);
  });
});
