import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { mirroredUrl, packBytes, type VoiceFile, type VoicePack } from './catalog.ts';

export interface FetchProgress {
  /** Bytes of the pack on disk so far, files already complete included. */
  bytes: number;
  total: number;
  /** 0–100, rounded down, so 100 means every byte is there. */
  percent: number;
}

export interface FetchPackOptions {
  /** The voice store; files land at `voicesDir/<file.path>`. */
  voicesDir: string;
  /** Base URL replacing the official host (env AITALK_VOICE_MIRROR). */
  mirror?: string;
  /** Called once when fetching begins, then at most every `progressIntervalMs`, and once at 100 %. */
  onProgress?: (progress: FetchProgress) => void;
  progressIntervalMs?: number;
  /** Tries per file before giving up; network errors, cut connections and checksum mismatches are retried. */
  attempts?: number;
  /** Wait before the second try; doubled for each further one. */
  retryDelayMs?: number;
  /** A connection that delivers nothing for this long is cut and retried. */
  stallMs?: number;
  signal?: AbortSignal;
  /** What the messages call the pack (default "the natural voice <id>"; the transcription models name themselves). */
  label?: string;
  /** What a learner can do instead when it cannot be fetched (default: start with eSpeak or a voice on disk). */
  offlineHint?: string;
  /** The flag that chooses the folder, named when it cannot be written (default --voices-dir). */
  dirFlag?: string;
}

/** What fetching needs of a pack: the voice packs and the transcription models (src/stt/models.ts) both have it. */
export type FetchablePack = Pick<VoicePack, 'id' | 'model' | 'files'>;

export interface FetchResult {
  /** Absolute path of the pack's model file (what the engine is given). */
  modelPath: string;
  /** Bytes transferred over the network in this call (0 when everything was already on disk). */
  fetchedBytes: number;
  /** Files that were on disk, complete and with the right checksum. */
  reusedFiles: number;
  /** Files found on disk with the wrong size or checksum, removed and fetched again. */
  replacedFiles: number;
}

/** A voice pack that could not be fetched; the message is one line that says what to do. */
export class VoiceFetchError extends Error {
  override name = 'VoiceFetchError';
}

const OFFLINE_HINT = 'start with --engine espeak, or --voice-file PATH';

function label(transfer: Pick<Transfer, 'pack' | 'options'>): string {
  return transfer.options.label ?? `the natural voice ${transfer.pack.id}`;
}

function hint(transfer: Pick<Transfer, 'options'>): string {
  return transfer.options.offlineHint ?? OFFLINE_HINT;
}

/** A failure worth another try (the network, a cut connection, bytes that did not match). */
class Retryable extends Error {}
class ChecksumMismatch extends Retryable {}

export type FileState = 'ok' | 'missing' | 'broken';

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function hashInto(hash: Hash, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** Whether `target` holds exactly the expected bytes: a wrong size or checksum is 'broken'. */
export async function checkFile(target: string, expected: Pick<VoiceFile, 'sha256' | 'bytes'>): Promise<FileState> {
  const size = await sizeOf(target);
  if (size === null) return 'missing';
  if (size !== expected.bytes) return 'broken';
  const hash = createHash('sha256');
  await hashInto(hash, target);
  return hash.digest('hex') === expected.sha256 ? 'ok' : 'broken';
}

function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') return code;
    current = current.cause;
  }
  return errorMessage(error);
}

function isDiskError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'EDQUOT';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Transfer {
  pack: FetchablePack;
  file: VoiceFile;
  url: string;
  target: string;
  options: FetchPackOptions;
  /** Reports the bytes of this file now on disk (part included). */
  onBytes: (bytes: number) => void;
  /** Counts bytes that came over the network. */
  onReceived: (bytes: number) => void;
}

/**
 * One try at one file: continues `<target>.part` with a Range request when there is one (starting over when the
 * server ignores Range), verifies size and checksum, and renames the part into place.
 */
async function transferOnce(transfer: Transfer): Promise<void> {
  const { file, url, target, options } = transfer;
  const part = `${target}.part`;
  let have = (await sizeOf(part)) ?? 0;
  if (have > file.bytes) {
    await unlink(part);
    have = 0;
  }
  let hash = createHash('sha256');
  if (have > 0) await hashInto(hash, part);
  transfer.onBytes(have);

  if (have < file.bytes) {
    const stall = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
    const stallMs = options.stallMs ?? 30_000;
    let timer = setTimeout(() => stall.abort(new Retryable(`no data for ${stallMs / 1000} s`)), stallMs);
    const handle = await open(part, 'a');
    try {
      let response: Response;
      try {
        response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new Retryable(networkCode(stall.signal.aborted ? stall.signal.reason : error));
      }
      if (response.status === 206) {
        const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
        if (Number(start) !== have) {
          await response.body?.cancel();
          await handle.truncate(0);
          throw new Retryable(`the server resumed at byte ${start ?? '?'} instead of ${have}`);
        }
      } else if (response.status === 200) {
        if (have > 0) {
          // The server ignored Range and sends the whole file: start the part over.
          await handle.truncate(0);
          have = 0;
          hash = createHash('sha256');
          transfer.onBytes(0);
        }
      } else if (response.status === 416) {
        await response.body?.cancel();
        await handle.truncate(0);
        throw new Retryable('the server refused to resume the partial file');
      } else if (response.status >= 500 || response.status === 429) {
        await response.body?.cancel();
        throw new Retryable(`HTTP ${response.status}`);
      } else {
        await response.body?.cancel();
        throw new VoiceFetchError(
          `${new URL(url).host} answered HTTP ${response.status} for ${path.basename(file.path)} of ` +
            `${label(transfer)}: the release may have moved; update AITalk, or ${hint(transfer)}`,
        );
      }
      if (!response.body) throw new Retryable('the server sent no body');
      try {
        for await (const chunk of response.body) {
          clearTimeout(timer);
          timer = setTimeout(() => stall.abort(new Retryable(`no data for ${stallMs / 1000} s`)), stallMs);
          const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (have + bytes.length > file.bytes) {
            // More than the file can hold: the server sends something else; what is kept is checked below.
            await handle.write(bytes.subarray(0, file.bytes - have));
            hash.update(bytes.subarray(0, file.bytes - have));
            have = file.bytes + 1;
            break;
          }
          await handle.write(bytes);
          hash.update(bytes);
          have += bytes.length;
          transfer.onReceived(bytes.length);
          transfer.onBytes(have);
        }
      } catch (error) {
        if (options.signal?.aborted || isDiskError(error)) throw error;
        // A cut connection: what arrived stays in the part and the next try asks for the rest.
        throw new Retryable(networkCode(stall.signal.aborted ? stall.signal.reason : error));
      }
    } finally {
      clearTimeout(timer);
      await handle.close();
    }
  }

  if (have !== file.bytes || hash.digest('hex') !== file.sha256) {
    await unlink(part).catch(() => {});
    transfer.onBytes(0);
    if (have < file.bytes) throw new Retryable(`the connection ended after ${have} of ${file.bytes} bytes`);
    throw new ChecksumMismatch(`${path.basename(file.path)} does not match its checksum`);
  }
  await rename(part, target);
}

async function transferFile(transfer: Transfer): Promise<void> {
  const { options, file, url } = transfer;
  const attempts = Math.max(1, options.attempts ?? 4);
  const delay = options.retryDelayMs ?? 1000;
  let last = '';
  let mismatches = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await transferOnce(transfer);
      return;
    } catch (error) {
      if (error instanceof VoiceFetchError) throw error;
      if (isDiskError(error)) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new VoiceFetchError(
          `cannot write ${label(transfer)} to ${options.voicesDir} (${code}): free some disk space or ` +
            `pass ${options.dirFlag ?? '--voices-dir'} DIR, or ${options.offlineHint ?? 'start with --engine espeak'}`,
        );
      }
      if (!(error instanceof Retryable)) throw error;
      last = error.message;
      if (error instanceof ChecksumMismatch) mismatches++;
      if (attempt < attempts) await sleep(delay * 2 ** (attempt - 1), options.signal);
    }
  }
  const host = new URL(url).host;
  if (mismatches === attempts) {
    throw new VoiceFetchError(
      `${path.basename(file.path)} from ${host} did not match its checksum in ${attempts} tries: the server may ` +
        `hold another version; update AITalk or try later, or ${hint(transfer)}`,
    );
  }
  throw new VoiceFetchError(
    `cannot fetch ${label(transfer)} from ${host} (${last}): no network? ${hint(transfer)} ` +
      `(the next start resumes the download)`,
  );
}

/**
 * Makes sure every file of `pack` is in the voice store with the right size and checksum, fetching what is
 * missing, broken or partial. Resolves with where the model is; rejects with a VoiceFetchError whose message is
 * one line saying what to do.
 */
export async function fetchPack(pack: FetchablePack, options: FetchPackOptions): Promise<FetchResult> {
  const total = packBytes(pack);
  const interval = options.progressIntervalMs ?? 250;
  const result: FetchResult = {
    modelPath: path.join(options.voicesDir, ...pack.model.split('/')),
    fetchedBytes: 0,
    reusedFiles: 0,
    replacedFiles: 0,
  };

  const todo: VoiceFile[] = [];
  let done = 0;
  for (const file of pack.files) {
    const target = path.join(options.voicesDir, ...file.path.split('/'));
    const state = await checkFile(target, file);
    if (state === 'ok') {
      result.reusedFiles++;
      done += file.bytes;
      continue;
    }
    if (state === 'broken') {
      await unlink(target);
      result.replacedFiles++;
    }
    todo.push(file);
  }
  if (todo.length === 0) return result;

  let lastReport = -Infinity;
  let lastPercent = -1;
  let latest = done;
  // A report held back by the interval is delivered when it ends, so a stalled transfer still shows where it is.
  let trailing: NodeJS.Timeout | undefined;
  const emit = (): void => {
    trailing = undefined;
    const percent = Math.floor((latest / total) * 100);
    lastReport = Date.now();
    lastPercent = percent;
    options.onProgress?.({ bytes: latest, total, percent });
  };
  const report = (bytes: number, force = false): void => {
    latest = bytes;
    if (Math.floor((bytes / total) * 100) === lastPercent && !force) return;
    const wait = lastReport + interval - Date.now();
    if (force || wait <= 0) {
      clearTimeout(trailing);
      emit();
    } else {
      trailing ??= setTimeout(emit, wait);
    }
  };
  report(done, true);
  try {
    await fetchFiles();
  } finally {
    clearTimeout(trailing);
  }
  report(done, true);
  return result;

  async function fetchFiles(): Promise<void> {
    for (const file of todo) {
      const target = path.join(options.voicesDir, ...file.path.split('/'));
      try {
        await mkdir(path.dirname(target), { recursive: true });
      } catch (error) {
        throw new VoiceFetchError(
          `cannot create ${path.dirname(target)} (${networkCode(error)}): pass ${options.dirFlag ?? '--voices-dir'} ` +
            `DIR, or ${options.offlineHint ?? 'start with --engine espeak'}`,
        );
      }
      await transferFile({
        pack,
        file,
        url: mirroredUrl(file.url, options.mirror),
        target,
        options,
        onBytes: (bytes) => report(done + bytes),
        onReceived: (bytes) => (result.fetchedBytes += bytes),
      });
      done += file.bytes;
    }
  }
}

/**
 * The terminal's view of a fetch: "Fetching the natural voice en_US-joe-medium: 34 % (21 of 63 MB)" when it
 * starts, then at most every `intervalMs` or `step` percentage points, and one line when it is done.
 */
export function terminalProgress(
  voice: string,
  log: (line: string) => void,
  {
    intervalMs = 5_000,
    step = 10,
    label = `the natural voice ${voice}`,
  }: { intervalMs?: number; step?: number; label?: string } = {},
): { progress: (progress: FetchProgress) => void; done: (result: FetchResult, seconds: number) => void } {
  let lastAt = -Infinity;
  let lastPercent = -Infinity;
  const mb = (bytes: number): number => Math.round(bytes / 1_000_000);
  return {
    progress({ bytes, total, percent }) {
      const now = Date.now();
      if (percent < 100 && now - lastAt < intervalMs && percent - lastPercent < step) return;
      if (percent === lastPercent) return;
      lastAt = now;
      lastPercent = percent;
      log(`Fetching ${label}: ${percent} % (${mb(bytes)} of ${mb(total)} MB)`);
    },
    done(result, seconds) {
      log(`Fetched ${label}: ${mb(result.fetchedBytes)} MB in ${seconds.toFixed(1)} s, checksums ` + `verified`);
    },
  };
}
