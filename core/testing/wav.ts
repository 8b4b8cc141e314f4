/** A WAV as voice servers write it, with optional extra chunks before the samples. */
export function wav(
  samples: number[],
  {
    rate = 22_050,
    channels = 1,
    bits = 16,
    format = 1,
    extra = [] as { id: string; bytes: number }[],
    size,
  }: {
    rate?: number;
    channels?: number;
    bits?: number;
    format?: number;
    extra?: { id: string; bytes: number }[];
    size?: number;
  } = {},
): ArrayBuffer {
  const extraBytes = extra.reduce((sum, chunk) => sum + 8 + chunk.bytes + (chunk.bytes % 2), 0);
  const buffer = new ArrayBuffer(44 + extraBytes + samples.length * 2);
  const view = new DataView(buffer);
  const put = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  put(0, 'RIFF');
  view.setUint32(4, buffer.byteLength - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, format, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, bits, true);
  let offset = 36;
  for (const chunk of extra) {
    put(offset, chunk.id);
    view.setUint32(offset + 4, chunk.bytes, true);
    offset += 8 + chunk.bytes + (chunk.bytes % 2);
  }
  put(offset, 'data');
  view.setUint32(offset + 4, size ?? samples.length * 2, true);
  samples.forEach((sample, i) => view.setInt16(offset + 8 + i * 2, sample, true));
  return buffer;
}
