import { Mp3Encoder } from '@breezystack/lamejs';

/** Formats the companion can produce; OpenAI's opus/aac/flac would need native encoders. */
export const RESPONSE_FORMATS = ['wav', 'pcm', 'mp3'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** OpenAI's `pcm` is headerless 24 kHz 16-bit mono, so clients hard-code that rate; we resample to match. */
export const PCM_FORMAT_SAMPLE_RATE = 24_000;

export const CONTENT_TYPES: Record<ResponseFormat, string> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm',
  mp3: 'audio/mpeg',
};

/** Size fields of a WAV whose length is unknown when the header is sent (the convention OpenAI's streams use). */
const UNKNOWN_SIZE = 0xffffffff;

export function wavHeader(sampleRate: number, dataBytes: number | null): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(dataBytes === null ? UNKNOWN_SIZE : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes === null ? UNKNOWN_SIZE : dataBytes, 40);
  return header;
}

export interface DecodedWav {
  sampleRate: number;
  /** 16-bit little-endian mono samples. */
  pcm: Buffer;
}

/**
 * Reads a WAV as it arrives and hands back its samples as 16-bit mono PCM. Accepts streamed WAVs whose size
 * fields are placeholders, skips chunks other than `fmt ` and `data`, and downmixes stereo.
 */
export class WavStreamDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private inData = false;
  private channels = 1;
  sampleRate: number | null = null;

  push(chunk: Buffer): Buffer {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    if (!this.inData && !this.readHeaders()) return Buffer.alloc(0);
    const frameBytes = 2 * this.channels;
    const usable = this.buffered.length - (this.buffered.length % frameBytes);
    const frames = this.buffered.subarray(0, usable);
    this.buffered = this.buffered.subarray(usable);
    return this.channels === 1 ? Buffer.from(frames) : downmix(frames, this.channels);
  }

  /** Throws when the stream ended before any audio, so a truncated or non-WAV answer is not mistaken for silence. */
  end(): void {
    if (!this.inData) throw new Error('the audio ended before a WAV data chunk arrived');
  }

  private readHeaders(): boolean {
    const buf = this.buffered;
    if (buf.length < 12) return false;
    if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
      throw new Error('the audio is not a RIFF/WAVE file');
    }
    let offset = 12;
    while (offset + 8 <= buf.length) {
      const id = buf.toString('ascii', offset, offset + 4);
      const size = buf.readUInt32LE(offset + 4);
      if (id === 'data') {
        if (this.sampleRate === null) throw new Error('the WAV has no fmt chunk before its data');
        this.inData = true;
        this.buffered = buf.subarray(offset + 8);
        return true;
      }
      if (offset + 8 + size > buf.length) return false;
      if (id === 'fmt ') {
        const formatTag = buf.readUInt16LE(offset + 8);
        this.channels = buf.readUInt16LE(offset + 10);
        this.sampleRate = buf.readUInt32LE(offset + 12);
        const bits = buf.readUInt16LE(offset + 22);
        // 0xfffe is WAVE_FORMAT_EXTENSIBLE, which servers use for plain PCM too.
        if ((formatTag !== 1 && formatTag !== 0xfffe) || bits !== 16 || this.channels < 1 || this.channels > 8) {
          throw new Error(`the WAV is not 16-bit PCM (format ${formatTag}, ${bits} bits, ${this.channels} channels)`);
        }
      }
      offset += 8 + size + (size % 2);
    }
    return false;
  }
}

function downmix(frames: Buffer, channels: number): Buffer {
  const count = frames.length / (2 * channels);
  const out = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let ch = 0; ch < channels; ch++) sum += frames.readInt16LE((i * channels + ch) * 2);
    out.writeInt16LE(Math.round(sum / channels), i * 2);
  }
  return out;
}

export function decodeWav(file: Buffer): DecodedWav {
  const decoder = new WavStreamDecoder();
  const pcm = decoder.push(file);
  decoder.end();
  return { sampleRate: decoder.sampleRate ?? 0, pcm };
}

/** Streaming linear-interpolation resampler for 16-bit mono PCM; good enough for speech, cheap enough for every chunk. */
export class LinearResampler {
  private readonly step: number;
  private position = 0;
  private previous: number | null = null;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.step = fromRate / toRate;
  }

  push(pcm: Buffer): Buffer {
    if (this.fromRate === this.toRate) return pcm;
    const count = pcm.length >> 1;
    const offset = this.previous === null ? 0 : 1;
    const total = count + offset;
    const sample = (index: number): number =>
      index < offset ? (this.previous as number) : pcm.readInt16LE((index - offset) * 2);
    const out: number[] = [];
    while (this.position + 1 < total) {
      const index = Math.floor(this.position);
      const fraction = this.position - index;
      out.push(Math.round(sample(index) * (1 - fraction) + sample(index + 1) * fraction));
      this.position += this.step;
    }
    if (total > 0) {
      this.previous = sample(total - 1);
      this.position -= total - 1;
    }
    const result = Buffer.alloc(out.length * 2);
    out.forEach((value, i) => result.writeInt16LE(value, i * 2));
    return result;
  }
}

/**
 * Turns 16-bit mono PCM into the response body of one format, chunk by chunk. `complete()` rebuilds the whole
 * file from everything that was sent, with exact sizes, for the cache.
 */
export interface AudioEncoder {
  readonly contentType: string;
  /** Bytes that go before the first audio (a streamed WAV header); empty for headerless formats. */
  start(knownPcmBytes: number | null): Buffer;
  encode(pcm: Buffer): Buffer;
  end(): Buffer;
  complete(sent: Buffer[]): Buffer;
}

export function createEncoder(format: ResponseFormat, sampleRate: number): AudioEncoder {
  switch (format) {
    case 'wav':
      return {
        contentType: CONTENT_TYPES.wav,
        start: (known) => wavHeader(sampleRate, known),
        encode: (pcm) => pcm,
        end: () => Buffer.alloc(0),
        complete: (sent) => {
          const data = Buffer.concat(sent).subarray(44);
          return Buffer.concat([wavHeader(sampleRate, data.length), data]);
        },
      };
    case 'pcm': {
      const resampler = new LinearResampler(sampleRate, PCM_FORMAT_SAMPLE_RATE);
      return {
        contentType: CONTENT_TYPES.pcm,
        start: () => Buffer.alloc(0),
        encode: (pcm) => resampler.push(pcm),
        end: () => Buffer.alloc(0),
        complete: (sent) => Buffer.concat(sent),
      };
    }
    case 'mp3': {
      const encoder = new Mp3Encoder(1, sampleRate, 64);
      const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      return {
        contentType: CONTENT_TYPES.mp3,
        start: () => Buffer.alloc(0),
        encode: (pcm) => {
          const samples = new Int16Array(pcm.length >> 1);
          for (let i = 0; i < samples.length; i++) samples[i] = pcm.readInt16LE(i * 2);
          // lamejs reuses its output array between calls, so copy before the next call overwrites it.
          return Buffer.from(toBuffer(encoder.encodeBuffer(samples)));
        },
        end: () => Buffer.from(toBuffer(encoder.flush())),
        complete: (sent) => Buffer.concat(sent),
      };
    }
  }
}

/** Seconds of audio in a buffer of 16-bit mono PCM. */
export function pcmSeconds(pcmBytes: number, sampleRate: number): number {
  return pcmBytes / 2 / sampleRate;
}
