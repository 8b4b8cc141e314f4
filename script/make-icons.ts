/**
 * Draws AITalk's toolbar icon (a white speech bubble on a blue disc) as PNGs in public/icon/,
 * where WXT picks them up. Run: npx tsx script/make-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const OUT = path.resolve(import.meta.dirname, '../public/icon');
const BLUE = [37, 99, 235];

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Coverage of a pixel by the shape, from 4×4 supersampling, for smooth edges. */
function coverage(size: number, x: number, y: number, inside: (u: number, v: number) => boolean): number {
  let hits = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) if (inside((x + (i + 0.5) / 4) / size, (y + (j + 0.5) / 4) / size)) hits++;
  }
  return hits / 16;
}

const disc = (u: number, v: number) => (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.5 ** 2;
const bubble = (u: number, v: number) => {
  const inEllipse = ((u - 0.5) / 0.3) ** 2 + ((v - 0.45) / 0.22) ** 2 <= 1;
  // The tail: a triangle from under the bubble's left side down to the lower left.
  const inTail = v >= 0.58 && v <= 0.78 && u >= 0.3 && u <= 0.45 && u - 0.3 <= (0.78 - v) * 0.75;
  return inEllipse || inTail;
};

function icon(size: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const a = coverage(size, x, y, disc);
      const w = coverage(size, x, y, bubble);
      const offset = 1 + x * 4;
      for (let c = 0; c < 3; c++) row[offset + c] = Math.round(BLUE[c]! * (1 - w) + 255 * w);
      row[offset + 3] = Math.round(255 * a);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const size of [16, 32, 48, 128]) writeFileSync(path.join(OUT, `${size}.png`), icon(size));
console.info(`Icons written to ${OUT}`);
