import { createWriteStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import type { HeapReading } from './analysis.ts';
import { attachTarget, type TargetSession } from './targets.ts';

/**
 * What the soak reads from inside the browser and the machine: the microphone's live tracks in the
 * recording document, each document's heap after a forced garbage collection, and the companion's
 * resident memory.
 */

/** The documents and the worker whose heaps are measured, by the end of their URL. */
export const MEASURED_TARGETS = {
  'side panel': '/sidepanel.html',
  'recording document': '/offscreen.html',
  'service worker': '/background.js',
} as const;
export type MeasuredTarget = keyof typeof MEASURED_TARGETS;

/**
 * Counts the microphone's live tracks. It keeps the streams the recorder opened only until their
 * tracks have ended, so the probe itself holds no recording's stream (and none of the memory it
 * measures) for longer than a turn. Plain JavaScript: a function's source would carry the
 * TypeScript compiler's helpers with it.
 */
const MICROPHONE_PROBE = `(() => {
  if (window.__soakMicrophone) return false;
  const streams = new Set();
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    streams.add(stream);
    return stream;
  };
  window.__soakMicrophone = {
    live() {
      let live = 0;
      for (const stream of streams) {
        const tracks = stream.getTracks().filter((track) => track.readyState === 'live').length;
        if (tracks === 0) streams.delete(stream);
        live += tracks;
      }
      return live;
    },
  };
  return true;
})()`;

/**
 * Sessions on the panel, the recording document and the service worker, opened through a page of
 * their own (an about:blank tab, in another renderer than the extension's pages, so it adds
 * nothing to the heaps it measures). A target that went away is attached to again, under its new
 * id, which the checkpoints keep.
 */
export class BrowserProbes {
  private sessions = new Map<MeasuredTarget, TargetSession>();
  /** Times the recording document had to be probed anew (it was created again). */
  microphoneProbeInstalls = 0;

  constructor(private readonly via: Page) {}

  private async session(target: MeasuredTarget): Promise<TargetSession> {
    const current = this.sessions.get(target);
    if (current?.attached) return current;
    const session = await attachTarget(this.via, MEASURED_TARGETS[target]);
    this.sessions.set(target, session);
    return session;
  }

  /** Live microphone tracks in the recording document (installing the counter there if it is new). */
  async liveMicrophoneTracks(): Promise<number> {
    const offscreen = await this.session('recording document');
    if (await offscreen.evaluate<boolean>(MICROPHONE_PROBE)) this.microphoneProbeInstalls++;
    return offscreen.evaluate<number>('window.__soakMicrophone.live()');
  }

  /** HeapProfiler.collectGarbage, then Runtime.getHeapUsage, in each measured target. */
  async heapsAfterGc(): Promise<Record<MeasuredTarget, HeapReading>> {
    const readings = {} as Record<MeasuredTarget, HeapReading>;
    for (const target of Object.keys(MEASURED_TARGETS) as MeasuredTarget[]) {
      const session = await this.session(target);
      await session.send('HeapProfiler.collectGarbage');
      const usage = await session.send<{ usedSize: number }>('Runtime.getHeapUsage');
      readings[target] = { usedBytes: usage.usedSize, targetId: session.targetId };
    }
    return readings;
  }

  /**
   * Writes a heap snapshot of `target` (after a garbage collection) to `file`, for DevTools'
   * Memory panel or script/soak/heap-diff.ts.
   */
  async heapSnapshot(target: MeasuredTarget, file: string): Promise<void> {
    const session = await this.session(target);
    const out = createWriteStream(file);
    const off = session.on('HeapProfiler.addHeapSnapshotChunk', (params) => out.write(String(params.chunk)));
    try {
      await session.send('HeapProfiler.collectGarbage');
      await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      off();
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((s) => s.detach()));
    this.sessions.clear();
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

async function rssBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status && /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}

/**
 * The companion server's resident memory. `npm run companion` (like the bench's process) runs tsx,
 * whose launcher starts the server as its child: the server is the largest process below the one
 * started, the launcher's own memory does not change with the server's work.
 */
export async function companionRss(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const sizes: number[] = [];
  let level = [pid];
  while (level.length) {
    const next: number[] = [];
    for (const p of level) {
      const rss = await rssBytes(p);
      if (rss !== undefined) sizes.push(rss);
      next.push(...(await childrenOf(p)));
    }
    level = next;
  }
  return sizes.length ? Math.max(...sizes) : undefined;
}
