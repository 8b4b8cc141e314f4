import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { recognizeSentence } from '../lib/recognize.ts';
import { run } from '../lib/run.ts';

export type SpeechFormat = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';

export const SPEECH_CONTENT_TYPES: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

export class UndecodableAudioError extends Error {}

export interface Transcription {
  /** What pocketsphinx recognised among the candidates, or '' when none was spoken. */
  text: string;
  durationSeconds: number;
  /** Where there was sound (seconds): first and last sample above a quiet-room level. */
  speech: { start: number; end: number };
}

/** Where a WAV's samples start: after the "data" chunk header (ffmpeg writes a LIST chunk before it). */
function dataOffset(wav: Buffer): number {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') return offset + 8;
    offset += 8 + size + (size % 2);
  }
  return 44;
}

/** First and last moment a 16-bit mono 16 kHz WAV rises above the noise floor. */
export function speechSpan(wav: Buffer): { start: number; end: number } {
  const data = dataOffset(wav);
  const samples = Math.max(0, (wav.length - data) >> 1);
  const loud = (i: number) => Math.abs(wav.readInt16LE(data + i * 2)) > 600;
  let first = 0;
  while (first < samples && !loud(first)) first++;
  let last = samples - 1;
  while (last > first && !loud(last)) last--;
  if (first >= samples) return { start: 0, end: 0 };
  return { start: first / 16_000, end: (last + 1) / 16_000 };
}

/**
 * Decodes an upload in any container ffmpeg reads (Chromium's webm/opus, wav, ogg, mp3…) to 16 kHz
 * mono and tells which candidate sentence it holds.
 */
export async function transcribeUpload(
  bytes: Uint8Array,
  filename: string,
  candidates: readonly string[],
  signal?: AbortSignal,
): Promise<Transcription> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-standin-stt-'));
  try {
    // Keep the upload's extension only as a hint; ffmpeg probes the content anyway.
    const ext = path
      .extname(filename)
      .replace(/[^.a-z0-9]/gi, '')
      .slice(0, 8);
    const input = path.join(dir, `upload${ext}`);
    const wav = path.join(dir, 'decoded.wav');
    await writeFile(input, bytes);
    try {
      await run(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-nostdin',
          '-i',
          input,
          '-ar',
          '16000',
          '-ac',
          '1',
          '-c:a',
          'pcm_s16le',
          '-f',
          'wav',
          wav,
        ],
        { signal },
      );
    } catch (error) {
      if ((error as Error).message.includes('not installed')) throw error;
      throw new UndecodableAudioError((error as Error).message);
    }
    const decoded = await readFile(wav);
    // 32,000 bytes per second of 16 kHz 16-bit mono, after the header.
    const durationSeconds = Math.max(0, decoded.length - dataOffset(decoded)) / 32_000;
    const text = candidates.length > 0 ? ((await recognizeSentence(wav, candidates)) ?? '') : '';
    return { text, durationSeconds, speech: speechSpan(decoded) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ESPEAK_VOICES: Record<string, string> = {
  alloy: 'en-us',
  echo: 'en-us+m3',
  fable: 'en-gb',
  onyx: 'en-us+m7',
  nova: 'en-us+f3',
  shimmer: 'en-us+f4',
};

/** Speaks `text` with the espeak-ng CLI (text on stdin) and encodes it like OpenAI: 24 kHz mono. */
export async function synthesizeSpeech(
  text: string,
  options: { voice: string; format: SpeechFormat; speed: number; signal?: AbortSignal },
): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-standin-tts-'));
  try {
    const raw = path.join(dir, 'espeak.wav');
    const wordsPerMinute = Math.round(Math.min(450, Math.max(80, 175 * options.speed)));
    await run(
      'espeak-ng',
      ['--stdin', '-w', raw, '-v', ESPEAK_VOICES[options.voice] ?? 'en-us', '-s', String(wordsPerMinute)],
      { stdin: text, signal: options.signal },
    );
    const out = path.join(
      dir,
      `speech.${options.format === 'pcm' ? 'raw' : options.format === 'opus' ? 'ogg' : options.format}`,
    );
    if (options.format === 'wav' || options.format === 'pcm' || options.format === 'flac') {
      const type = options.format === 'pcm' ? ['-t', 'raw', '-e', 'signed-integer', '-L'] : [];
      await run('sox', ['-D', raw, '-r', '24000', '-c', '1', '-b', '16', ...type, out], { signal: options.signal });
    } else {
      const codec = {
        mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
        opus: ['-c:a', 'libopus', '-b:a', '32k'],
        aac: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'],
      }[options.format];
      await run(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', raw, '-ar', '24000', '-ac', '1', ...codec, out],
        { signal: options.signal },
      );
    }
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
