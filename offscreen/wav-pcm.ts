/**
 * Reads the 16-bit PCM WAV a voice server sends (the companion, OpenAI-compatible speech
 * endpoints), so a clip can become an AudioBuffer without `decodeAudioData`. That call hands the
 * bytes to a decoder thread and, when the clip's rate is not the context's, resamples the whole
 * clip before the first sample can play: 8–18 ms for a 3–5 s sentence at 22,050 Hz into this
 * machine's 44.1 kHz context (headless Chromium), against under 1 ms to copy the samples.
 * Anything else (another encoding, a compressed format) is left to `decodeAudioData`.
 *
 * The companion has a WAV reader of its own (companion-server/src/audio.ts); it works on Node
 * Buffers, mixes stereo down, and is GPL like the rest of that server, so the extension has this one.
 */

export interface PcmWav {
  sampleRate: number;
  channels: number;
  frames: number;
  /** Each channel's samples, from -1 to 1. */
  channelData: Float32Array<ArrayBuffer>[];
}

interface WavFormat {
  sampleRate: number;
  channels: number;
  /** Where the samples start, and how many bytes of them there are. */
  dataOffset: number;
  dataBytes: number;
}

const PCM = 1;
const EXTENSIBLE = 0xfffe;

function tag(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

/** The layout of a 16-bit PCM WAV; undefined for anything else (or a truncated header). */
function readFormat(bytes: ArrayBuffer): WavFormat | undefined {
  if (bytes.byteLength < 44) return undefined;
  const view = new DataView(bytes);
  if (tag(view, 0) !== 'RIFF' || tag(view, 8) !== 'WAVE') return undefined;
  let offset = 12;
  let format: Omit<WavFormat, 'dataOffset' | 'dataBytes'> | undefined;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) return undefined;
      const code = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bits = view.getUint16(body + 14, true);
      // WAVE_FORMAT_EXTENSIBLE names its real format in the first two bytes of its sub-format GUID.
      const real =
        code === EXTENSIBLE && size >= 26 && body + 26 <= bytes.byteLength ? view.getUint16(body + 24, true) : code;
      if (real !== PCM || bits !== 16 || channels < 1 || channels > 8) return undefined;
      if (sampleRate < 3_000 || sampleRate > 768_000) return undefined;
      format = { sampleRate, channels };
    } else if (id === 'data') {
      if (!format) return undefined;
      // A streamed WAV may not know its length (0 or 0xFFFFFFFF): the samples run to the end.
      const available = bytes.byteLength - body;
      const declared = size === 0 || size === 0xffffffff ? available : Math.min(size, available);
      const frameBytes = format.channels * 2;
      return { ...format, dataOffset: body, dataBytes: declared - (declared % frameBytes) };
    }
    // Chunks are padded to an even length.
    offset = body + size + (size % 2);
  }
  return undefined;
}

/** The clip's sample rate, from its header alone; undefined when it is not 16-bit PCM WAV. */
export function wavSampleRate(bytes: ArrayBuffer): number | undefined {
  return readFormat(bytes)?.sampleRate;
}

/**
 * The clip's samples, deinterleaved; undefined when it is not 16-bit PCM WAV, or (with `atRate`)
 * when it is at another rate, so its samples are not copied only to be decoded after all.
 */
export function readPcmWav(bytes: ArrayBuffer, atRate?: number): PcmWav | undefined {
  const format = readFormat(bytes);
  if (!format || (atRate !== undefined && format.sampleRate !== atRate)) return undefined;
  const { channels, dataOffset, dataBytes } = format;
  const frames = dataBytes / (2 * channels);
  const view = new DataView(bytes, dataOffset, dataBytes);
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let frame = 0, at = 0; frame < frames; frame++) {
    for (let channel = 0; channel < channels; channel++, at += 2) {
      channelData[channel]![frame] = view.getInt16(at, true) / 32_768;
    }
  }
  return { sampleRate: format.sampleRate, channels, frames, channelData };
}
