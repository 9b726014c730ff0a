import { gunzipSync } from 'node:zlib';

/** An IDX array (the MNIST file format): unsigned bytes with their dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an IDX file of unsigned bytes, gzip-compressed or not. `file` names the file in error messages. */
export function parseIdx(buffer: Uint8Array, file: string): IdxArray {
  const raw = buffer[0] === 0x1f && buffer[1] === 0x8b ? new Uint8Array(gunzipSync(buffer)) : buffer;
  if (raw.length < 4) throw new Error(`${file}: not an IDX file (${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getUint16(0) !== 0 || raw[2] !== UBYTE) {
    throw new Error(`${file}: not an IDX file of unsigned bytes (magic ${view.getUint32(0)})`);
  }
  const rank = raw[3];
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) throw new Error(`${file}: truncated IDX header`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length !== headerBytes + size) {
    throw new Error(`${file}: IDX dimensions [${dims.join(', ')}] need ${size} data bytes, file has ${raw.length - headerBytes}`);
  }
  return { dims, data: raw.subarray(headerBytes) };
}
