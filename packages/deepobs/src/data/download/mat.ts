// The numeric variables of a MATLAB level-5 .mat file (what SVHN's train_32x32.mat / test_32x32.mat are):
// a 128-byte header, then data elements; each variable is a miMATRIX element, usually inside a zlib-compressed
// miCOMPRESSED element. MATLAB stores numbers in the smallest type that holds them (a double-class label
// vector may be stored as uint8), so values are read by their stored type.
import { inflateSync } from 'node:zlib';

export interface MatArray {
  /** MATLAB dimensions (column-major: element (i, j, …) is at i + d0·j + …). */
  dims: number[];
  values: ArrayLike<number>;
}

const MI_INT8 = 1;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;

const NUMERIC: Record<number, { bytes: number; read: (v: DataView, o: number) => number }> = {
  1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  2: { bytes: 1, read: (v, o) => v.getUint8(o) },
  3: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  4: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  5: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  6: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  7: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  9: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  12: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  13: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

interface Element {
  type: number;
  data: Buffer;
  /** Offset of the next element. */
  next: number;
}

function readElement(buf: Buffer, offset: number, file: string): Element {
  if (offset + 8 > buf.length) throw new Error(`${file}: truncated data element at byte ${offset}`);
  const first = buf.readUInt32LE(offset);
  if (first >>> 16 !== 0) {
    // Small data element: type and size share the first word, data in the next four bytes.
    const size = first >>> 16;
    return { type: first & 0xffff, data: buf.subarray(offset + 4, offset + 4 + size), next: offset + 8 };
  }
  const size = buf.readUInt32LE(offset + 4);
  const end = offset + 8 + size;
  if (end > buf.length) throw new Error(`${file}: data element at byte ${offset} needs ${size} bytes, ${buf.length - offset - 8} left`);
  const padded = first === MI_COMPRESSED ? end : offset + 8 + Math.ceil(size / 8) * 8;
  return { type: first, data: buf.subarray(offset + 8, end), next: padded };
}

function numbers(element: Element, file: string, what: string): ArrayLike<number> {
  if (element.type === 2) return element.data; // uint8: the pixels, read without copying
  const numeric = NUMERIC[element.type];
  if (!numeric) throw new Error(`${file}: ${what} has unsupported MATLAB data type ${element.type}`);
  const view = new DataView(element.data.buffer, element.data.byteOffset, element.data.byteLength);
  const out = new Float64Array(element.data.length / numeric.bytes);
  for (let i = 0; i < out.length; i++) out[i] = numeric.read(view, i * numeric.bytes);
  return out;
}

function readMatrix(element: Element, file: string): { name: string; array?: MatArray } {
  const flags = readElement(element.data, 0, file);
  const dims = readElement(element.data, flags.next, file);
  const name = readElement(element.data, dims.next, file);
  if (flags.type !== MI_UINT32 || dims.type !== MI_INT32 || name.type !== MI_INT8) {
    throw new Error(`${file}: malformed miMATRIX (flags type ${flags.type}, dims type ${dims.type}, name type ${name.type})`);
  }
  const varName = name.data.toString('latin1');
  const mxClass = flags.data.readUInt32LE(0) & 0xff;
  if (mxClass < 6 || mxClass > 15) return { name: varName }; // cell, struct, char, sparse…: not numeric data
  const dimList = Array.from({ length: dims.data.length / 4 }, (_, i) => dims.data.readInt32LE(i * 4));
  const real = readElement(element.data, name.next, file);
  const values = numbers(real, file, `variable "${varName}"`);
  const count = dimList.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`${file}: variable "${varName}" has ${values.length} values for dimensions [${dimList}]`);
  return { name: varName, array: { dims: dimList, values } };
}

/** Every numeric variable of a little-endian level-5 .mat file, by name. */
export function readMat(buf: Buffer, file: string): Map<string, MatArray> {
  if (buf.length < 128) throw new Error(`${file}: ${buf.length} bytes is too short for a MATLAB .mat file`);
  const version = buf.readUInt16LE(124);
  const endian = buf.toString('latin1', 126, 128);
  if (endian !== 'IM' || version !== 0x0100) {
    const text = buf.toString('latin1', 0, 20);
    throw new Error(`${file}: not a little-endian MATLAB 5 .mat file (header "${text}…", version ${version}, endian "${endian}")`);
  }
  const variables = new Map<string, MatArray>();
  let offset = 128;
  while (offset < buf.length) {
    let element = readElement(buf, offset, file);
    offset = element.next;
    if (element.type === MI_COMPRESSED) {
      let inflated: Buffer;
      try {
        inflated = inflateSync(element.data);
      } catch (e) {
        throw new Error(`${file}: corrupt compressed element: ${(e as Error).message}`);
      }
      element = readElement(inflated, 0, file);
    }
    if (element.type !== MI_MATRIX) continue;
    const { name, array } = readMatrix(element, file);
    if (array) variables.set(name, array);
  }
  return variables;
}
