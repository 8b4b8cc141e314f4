import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { wavHeader } from '../src/audio.ts';
import type { SynthesizedAudio, TtsEngine } from '../src/engines/types.ts';

// What the Piper and Kokoro tests share: speaking to PCM, and broken copies of a model file.

export type Speaker = Pick<TtsEngine, 'synthesize' | 'defaultVoice'>;

export async function speakPcm(
  engine: Speaker,
  text: string,
  options: { voice?: string; speed?: number; signal?: AbortSignal } = {},
): Promise<{ pcm: Buffer; sampleRate: number; seconds: number }> {
  const audio: SynthesizedAudio = await engine.synthesize(
    text,
    options.voice ?? engine.defaultVoice(),
    { speed: options.speed ?? 1 },
    options.signal ?? new AbortController().signal,
  );
  const chunks: Buffer[] = [];
  for await (const chunk of audio.chunks) chunks.push(chunk);
  const pcm = Buffer.concat(chunks);
  return { pcm, sampleRate: audio.sampleRate, seconds: pcm.length / 2 / audio.sampleRate };
}

export function asWav(pcm: Buffer, sampleRate: number): Buffer {
  return Buffer.concat([wavHeader(sampleRate, pcm.length), pcm]);
}

/** A text file with the model's name, and the model cut to its first megabyte (an interrupted download). */
export async function brokenCopies(
  modelPath: string,
  dir: string,
  extra: (copy: string) => Promise<void> = async () => {},
): Promise<{ textFile: string; truncated: string }> {
  const base = path.basename(modelPath);
  const textFile = path.join(dir, 'text', base);
  const truncated = path.join(dir, 'truncated', base);
  await mkdir(path.dirname(textFile), { recursive: true });
  await mkdir(path.dirname(truncated), { recursive: true });
  await writeFile(textFile, 'This is not a voice model.\n');
  await writeFile(truncated, (await readFile(modelPath)).subarray(0, 1 << 20));
  await extra(textFile);
  await extra(truncated);
  return { textFile, truncated };
}
