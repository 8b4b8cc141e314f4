import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWav, wavHeader } from '../src/audio.ts';

export const FAKE_COQUI_PATH = fileURLToPath(new URL('./fake-coqui', import.meta.url));

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = unknown>(): T;
}

/**
 * A request with exactly the headers given — fetch would refuse to set Host and adds its own — so the tests
 * can send what a hostile page or a DNS-rebinding attack would.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: { host: target.host, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface ApiErrorJson {
  error: { message: string; type: string; param: string | null };
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A streamed WAV (unknown-size header) re-wrapped with exact sizes, for tools such as sox. */
export function exactWav(file: Buffer): { wav: Buffer; seconds: number; sampleRate: number } {
  const { sampleRate, pcm } = decodeWav(file);
  return {
    wav: Buffer.concat([wavHeader(sampleRate, pcm.length), pcm]),
    seconds: pcm.length / 2 / sampleRate,
    sampleRate,
  };
}

/** Root-mean-square level of 16-bit PCM, 0..1; tells speech from silence. */
export function rms(pcm: Buffer): number {
  let sum = 0;
  const count = pcm.length >> 1;
  for (let i = 0; i < count; i++) {
    const sample = pcm.readInt16LE(i * 2) / 32768;
    sum += sample * sample;
  }
  return count ? Math.sqrt(sum / count) : 0;
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** eSpeak NG talks at about 175 words a minute at speed 1; generous bounds still catch truncated or runaway audio. */
export function plausibleSeconds(text: string, speed = 1): { min: number; max: number } {
  const seconds = (wordCount(text) * 60) / (175 * speed);
  return { min: seconds * 0.5, max: seconds * 1.8 + 0.8 };
}

/**
 * The WAV with 0.3 s of silence before and 0.5 s after. eSpeak starts speaking at the very first sample, and
 * pocketsphinx needs a little silence to calibrate on before the first word or it mishears it.
 */
export function padForRecognition(file: Buffer): Buffer {
  const { sampleRate, pcm } = decodeWav(file);
  const before = Buffer.alloc(Math.round(sampleRate * 0.3) * 2);
  const after = Buffer.alloc(Math.round(sampleRate * 0.5) * 2);
  const padded = Buffer.concat([before, pcm, after]);
  return Buffer.concat([wavHeader(sampleRate, padded.length), padded]);
}
