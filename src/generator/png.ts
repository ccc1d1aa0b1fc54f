import { deflateSync } from 'node:zlib';
import type { Random } from './prng.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export interface RgbImage {
  width: number;
  height: number;
  /** Red, green, blue for (x, y), each 0..255. */
  pixel(x: number, y: number): readonly [number, number, number];
}

/**
 * Encodes an 8-bit RGB PNG (no filtering, zlib level 9); byte-for-byte
 * deterministic for the same pixels and Node's bundled zlib.
 *
 * @example
 * const png = encodePng({ width: 2, height: 2, pixel: (x, y) => [x * 255, y * 255, 0] });
 */
export function encodePng(image: RgbImage): Buffer {
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`bad PNG size ${width}x${height}`);
  }
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter type: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = image.pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r & 0xff;
      raw[at + 1] = g & 0xff;
      raw[at + 2] = b & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  header[10] = 0; // compression
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A deterministic picture: a gradient with a few discs. */
export function discPicture(random: Random, width: number, height: number): Buffer {
  const base = [random.int(0, 255), random.int(0, 255), random.int(0, 255)] as const;
  const discs = Array.from({ length: random.int(1, 4) }, () => ({
    x: random.int(0, width),
    y: random.int(0, height),
    r2: random.int(4, Math.max(5, Math.floor((Math.min(width, height) / 2) ** 2))),
    colour: [random.int(0, 255), random.int(0, 255), random.int(0, 255)] as const,
  }));
  return encodePng({
    width,
    height,
    pixel: (x, y) => {
      for (const disc of discs) {
        if ((x - disc.x) ** 2 + (y - disc.y) ** 2 <= disc.r2) return disc.colour;
      }
      return [(base[0] + x) & 0xff, (base[1] + y) & 0xff, (base[2] + x + y) & 0xff];
    },
  });
}
