import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './run.ts';

export type SpeechPart = string | { silenceMs: number };

export interface SpeechWavOptions {
  /** espeak-ng voice, e.g. 'en-us' (default) or 'en'. */
  voice?: string;
  /** Words per minute (espeak-ng default 175). */
  wordsPerMinute?: number;
  /** Output sample rate; 48 kHz by default because that is what Chromium's fake microphone expects. */
  sampleRate?: number;
}

// No dither (-D): silence stays digital silence and the same text always gives the same bytes.
// 16-bit on purpose: Chromium's --use-file-for-fake-audio-capture plays 24-bit WAVs as silence.
const OUTPUT_FORMAT = (rate: number): string[] => ['-r', String(rate), '-c', '1', '-b', '16', '-e', 'signed-integer'];

/**
 * Writes a 16-bit mono WAV of espeak-ng speaking the text parts, with the given silences between
 * or around them (e.g. speech, a short pause inside the sentence, then trailing silence for a
 * voice-activity detector). Resolves with outPath.
 */
export async function makeSpeechWav(
  parts: readonly SpeechPart[],
  outPath: string,
  options: SpeechWavOptions = {},
): Promise<string> {
  if (parts.length === 0) throw new Error('makeSpeechWav needs at least one part');
  const rate = options.sampleRate ?? 48_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-speech-'));
  try {
    const pieces: string[] = [];
    for (const [index, part] of parts.entries()) {
      const piece = path.join(dir, `piece-${index}.wav`);
      if (typeof part === 'string') {
        const raw = path.join(dir, `raw-${index}.wav`);
        const args = ['--stdin', '-w', raw, '-v', options.voice ?? 'en-us'];
        if (options.wordsPerMinute) args.push('-s', String(options.wordsPerMinute));
        await run('espeak-ng', args, { stdin: part });
        // sox only concatenates files that share rate and channels, so each piece is converted first.
        await run('sox', ['-D', raw, ...OUTPUT_FORMAT(rate), piece]);
      } else {
        await writeSilence(part.silenceMs, piece, rate);
      }
      pieces.push(piece);
    }
    await run('sox', ['-D', ...pieces, ...OUTPUT_FORMAT(rate), outPath]);
    return outPath;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a 16-bit mono WAV of digital silence (an "empty recording"). */
export async function makeSilenceWav(ms: number, outPath: string, sampleRate = 48_000): Promise<string> {
  await writeSilence(ms, outPath, sampleRate);
  return outPath;
}

async function writeSilence(ms: number, outPath: string, rate: number): Promise<void> {
  if (!(ms >= 0)) throw new Error(`silence length must be a non-negative number of ms, got ${ms}`);
  await run('sox', ['-D', '-n', ...OUTPUT_FORMAT(rate), outPath, 'trim', '0', (ms / 1000).toFixed(3)]);
}
