// Small files in the real formats of the DeepOBS downloads, written independently of the code under test:
// gzipped IDX, CIFAR binary archives (.tar.gz), MATLAB level-5 .mat (SVHN), plain text (Tolstoi).
import { createHash } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes (a linear congruential sequence), so tests need no random state. */
export function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

export function idxGz(magic: 2049 | 2051, dims: number[], data: Buffer): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, data]));
}

export async function tarGz(entries: Record<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => pack.on('end', resolve));
  pack.entry({ name: Object.keys(entries)[0]!.split('/')[0]! + '/', type: 'directory' });
  for (const [name, content] of Object.entries(entries)) pack.entry({ name }, content);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

function element(type: number, data: Buffer): Buffer {
  if (data.length <= 4 && type !== 14) {
    // small data element format
    const out = Buffer.alloc(8);
    out.writeUInt32LE((data.length << 16) | type, 0);
    data.copy(out, 4);
    return out;
  }
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  return Buffer.concat([tag, data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
}

/** A numeric matrix variable: MATLAB class `mxClass` (6 double, 9 uint8), data stored as miUINT8. */
function matrix(name: string, mxClass: number, dims: number[], data: Buffer): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(mxClass, 0);
  const dimBytes = Buffer.alloc(4 * dims.length);
  dims.forEach((d, i) => dimBytes.writeInt32LE(d, 4 * i));
  return element(14, Buffer.concat([element(6, flags), element(5, dimBytes), element(1, Buffer.from(name, 'latin1')), element(2, data)]));
}

/**
 * A MATLAB 5 .mat file like SVHN's: X (uint8, 32×32×3×N, column-major, zlib-compressed) and y (double class, N×1,
 * stored as uint8 as MATLAB does for small integers). `pixel(n, r, c, ch)` and `labels[n]` give the values.
 */
export function svhnMat(count: number, pixel: (n: number, r: number, c: number, ch: number) => number, labels: number[]): Buffer {
  const header = Buffer.alloc(128, ' ');
  header.write('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test', 0, 'latin1');
  header.fill(0, 116, 124);
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const x = Buffer.alloc(32 * 32 * 3 * count);
  for (let n = 0; n < count; n++)
    for (let ch = 0; ch < 3; ch++)
      for (let c = 0; c < 32; c++) for (let r = 0; r < 32; r++) x[r + 32 * c + 1024 * ch + 3072 * n] = pixel(n, r, c, ch);
  const xElement = matrix('X', 9, [32, 32, 3, count], x);
  const compressed = deflateSync(xElement);
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(compressed.length, 4);
  return Buffer.concat([header, tag, compressed, matrix('y', 6, [count, 1], Buffer.from(labels))]);
}
