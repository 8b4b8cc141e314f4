import { describe, expect, it } from 'vitest';
import { LinearResampler, WavStreamDecoder, createEncoder, decodeWav, wavHeader } from './audio.ts';

function ramp(count: number): Buffer {
  const pcm = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) pcm.writeInt16LE((i * 13) % 30000, i * 2);
  return pcm;
}

describe('audio helpers', () => {
  it('decodes a streamed WAV fed in odd pieces, skipping unknown chunks and downmixing stereo', () => {
    const header = Buffer.alloc(44 + 12);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(0xffffffff, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(2, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt16LE(16, 34);
    header.write('LIST', 36, 'ascii');
    header.writeUInt32LE(4, 40);
    header.write('data', 48, 'ascii');
    header.writeUInt32LE(0xffffffff, 52);
    const stereo = Buffer.alloc(8);
    stereo.writeInt16LE(100, 0);
    stereo.writeInt16LE(300, 2);
    stereo.writeInt16LE(-50, 4);
    stereo.writeInt16LE(-150, 6);
    const file = Buffer.concat([header, stereo]);
    const decoder = new WavStreamDecoder();
    const out: Buffer[] = [];
    for (let offset = 0; offset < file.length; offset += 3) out.push(decoder.push(file.subarray(offset, offset + 3)));
    decoder.end();
    expect(decoder.sampleRate).toBe(16000);
    const pcm = Buffer.concat(out);
    expect([pcm.readInt16LE(0), pcm.readInt16LE(2)]).toEqual([200, -100]);
  });

  it('refuses audio that is not 16-bit PCM WAV', () => {
    expect(() => decodeWav(Buffer.from('ID3 this is an mp3 file'))).toThrow(/not a RIFF\/WAVE/);
    const float = wavHeader(16000, 0);
    float.writeUInt16LE(3, 20);
    float.writeUInt16LE(32, 34);
    expect(() => decodeWav(float)).toThrow(/not 16-bit PCM/);
  });

  it('resamples in chunks to the same audio as in one piece, within rounding', () => {
    const pcm = ramp(22050);
    const whole = new LinearResampler(22050, 24000).push(pcm);
    const chunked = new LinearResampler(22050, 24000);
    const parts: Buffer[] = [];
    for (let offset = 0; offset < pcm.length; offset += 1002)
      parts.push(chunked.push(pcm.subarray(offset, offset + 1002)));
    const joined = Buffer.concat(parts);
    expect(Math.abs(whole.length / 2 - 24000)).toBeLessThanOrEqual(2);
    expect(joined.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i += 2)
      worst = Math.max(worst, Math.abs(whole.readInt16LE(i) - joined.readInt16LE(i)));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('rebuilds a streamed WAV with exact sizes for the cache', () => {
    const encoder = createEncoder('wav', 22050);
    const sent = [encoder.start(null), encoder.encode(ramp(100)), encoder.encode(ramp(50)), encoder.end()];
    const complete = encoder.complete(sent);
    expect(complete.readUInt32LE(40)).toBe(300);
    expect(complete.readUInt32LE(4)).toBe(336);
    expect(decodeWav(complete).pcm.length).toBe(300);
  });
});
