import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CacheKeyParts {
  engine: string;
  model: string;
  voice: string;
  speed: number;
  format: string;
  text: string;
}

export interface CacheStats {
  enabled: boolean;
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

const SUFFIX = '.audio';

/**
 * Finished responses on disk, keyed by a hash of everything that changes the audio, bounded in bytes with
 * least-recently-used eviction. File names are hashes only, so nothing a client sends becomes part of a path.
 * The index lives in memory (a Map kept in recency order) and is rebuilt from file times at start-up.
 */
export class AudioCache {
  private readonly entries = new Map<string, number>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  static async open(dir: string, maxBytes: number): Promise<AudioCache> {
    const cache = new AudioCache(dir, maxBytes);
    if (maxBytes <= 0) return cache;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const found: { key: string; size: number; time: number }[] = [];
    for (const name of await readdir(dir)) {
      if (!name.endsWith(SUFFIX)) continue;
      try {
        const info = await stat(path.join(dir, name));
        found.push({ key: name.slice(0, -SUFFIX.length), size: info.size, time: info.mtimeMs });
      } catch {
        // Removed meanwhile by another companion sharing the directory.
      }
    }
    found.sort((a, b) => a.time - b.time);
    for (const entry of found) {
      cache.entries.set(entry.key, entry.size);
      cache.bytes += entry.size;
    }
    await cache.evict();
    return cache;
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  key(parts: CacheKeyParts): string {
    const material = JSON.stringify([parts.engine, parts.model, parts.voice, parts.speed, parts.format, parts.text]);
    return createHash('sha256').update(material).digest('hex');
  }

  async get(key: string): Promise<Buffer | null> {
    const size = this.entries.get(key);
    if (size === undefined) {
      this.misses++;
      return null;
    }
    try {
      const data = await readFile(this.file(key));
      this.entries.delete(key);
      this.entries.set(key, data.length);
      this.bytes += data.length - size;
      this.hits++;
      const now = new Date();
      // Recency survives a restart through the file time; failing to update it only makes eviction less exact.
      utimes(this.file(key), now, now).catch(() => {});
      return data;
    } catch {
      this.forget(key);
      this.misses++;
      return null;
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    if (!this.enabled || data.length > this.maxBytes) return;
    const target = this.file(key);
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    // Written aside and renamed, so a reader never sees half a file.
    await writeFile(temporary, data, { mode: 0o600 });
    await rename(temporary, target);
    this.forget(key);
    this.entries.set(key, data.length);
    this.bytes += data.length;
    await this.evict();
  }

  stats(): CacheStats {
    return {
      enabled: this.enabled,
      entries: this.entries.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }

  private file(key: string): string {
    return path.join(this.dir, key + SUFFIX);
  }

  private forget(key: string): void {
    const size = this.entries.get(key);
    if (size === undefined) return;
    this.entries.delete(key);
    this.bytes -= size;
  }

  private async evict(): Promise<void> {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(key);
      this.evictions++;
      await unlink(this.file(key)).catch(() => {});
    }
  }
}
