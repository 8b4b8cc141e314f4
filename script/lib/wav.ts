import { decodeWav, wavHeader } from '../../companion-server/src/audio.ts';

/**
 * 16-bit mono WAV in and out for the scripts (the bench's microphone files, the offscreen check),
 * on top of the companion's own WAV code so there is one reader and one header writer.
 */

/** The samples of a 16-bit PCM WAV (several channels are mixed down to one). */
export function readPcm16(wav: Buffer): { rate: number; samples: Int16Array } {
  const { sampleRate, pcm } = decodeWav(wav);
  const copy = new Uint8Array(pcm);
  return { rate: sampleRate, samples: new Int16Array(copy.buffer, 0, copy.length >> 1) };
}

/** A canonical 44-byte-header WAV of 16-bit mono samples (what Chromium's fake microphone plays). */
export function encodePcm16(samples: Int16Array, rate: number): Buffer {
  const bytes = samples.length * 2;
  return Buffer.concat([wavHeader(rate, bytes), Buffer.from(samples.buffer, samples.byteOffset, bytes)]);
}
