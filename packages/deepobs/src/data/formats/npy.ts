/** Integer arrays in NumPy's .npy format (DeepOBS stores the Tolstoi character ids this way). */
const MAGIC = '\x93NUMPY';

const READERS: Record<string, (view: DataView, offset: number) => number> = {
  '<i1': (v, o) => v.getInt8(o),
  '|i1': (v, o) => v.getInt8(o),
  '|u1': (v, o) => v.getUint8(o),
  '<u1': (v, o) => v.getUint8(o),
  '<i2': (v, o) => v.getInt16(o, true),
  '<u2': (v, o) => v.getUint16(o, true),
  '<i4': (v, o) => v.getInt32(o, true),
  '<u4': (v, o) => v.getUint32(o, true),
  '<i8': (v, o) => Number(v.getBigInt64(o, true)),
  '<u8': (v, o) => Number(v.getBigUint64(o, true)),
};

/** Reads a one-dimensional little-endian integer .npy array into an Int32Array. */
export function parseNpyInts(buffer: Uint8Array, file: string): Int32Array {
  const text = (a: number, b: number) => String.fromCharCode(...buffer.subarray(a, b));
  if (buffer.length < 10 || text(0, 6) !== MAGIC) throw new Error(`${file}: not a .npy file`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const major = buffer[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = text(headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shape === undefined) throw new Error(`${file}: malformed .npy header ${JSON.stringify(header)}`);
  const read = READERS[descr];
  if (!read) throw new Error(`${file}: unsupported .npy dtype ${descr} (expected a little-endian integer type)`);
  const dims = shape.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.length !== 1) throw new Error(`${file}: expected a 1-D array, got shape (${shape})`);
  const itemSize = Number(descr.slice(2));
  const start = headerStart + headerLen;
  if (buffer.length - start !== dims[0] * itemSize) {
    throw new Error(`${file}: shape (${dims[0]},) needs ${dims[0] * itemSize} data bytes, file has ${buffer.length - start}`);
  }
  const out = new Int32Array(dims[0]);
  for (let i = 0; i < dims[0]; i++) out[i] = read(view, start + i * itemSize);
  return out;
}
