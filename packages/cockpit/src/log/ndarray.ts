// json_tricks' encoding of numpy arrays: {"__ndarray__": nested list, "dtype": ..., "shape": [...]} plus
// "Corder": true when ndim > 1.
import type { PyJson } from '@flightdeck/core';
import { LogFormatError } from './errors.js';

export type FloatDtype = 'float64' | 'float32' | 'float16';
const FLOAT_DTYPES: readonly string[] = ['float64', 'float32', 'float16'];
const INT_DTYPES: readonly string[] = ['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64'];

export interface NdArray {
  dtype: string;
  shape: number[];
  /** Row-major values. */
  values: number[];
}

export function isNdArrayObject(v: PyJson): v is { [key: string]: PyJson } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && '__ndarray__' in v;
}

/** Decodes an `__ndarray__` object; `where` names it in errors (file, step, key). */
export function decodeNdArray(v: PyJson, where: string): NdArray {
  if (!isNdArrayObject(v)) throw new LogFormatError(where, 'expected an {"__ndarray__": ...} object');
  const { dtype, shape } = v;
  if (typeof dtype !== 'string' || !(FLOAT_DTYPES.includes(dtype) || INT_DTYPES.includes(dtype)))
    throw new LogFormatError(where, `unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'bigint' && d >= 0n))
    throw new LogFormatError(where, 'shape must be a list of non-negative integers');
  const dims = shape.map(Number);
  const values: number[] = [];
  const walk = (node: PyJson, depth: number, path: string) => {
    if (depth === dims.length) {
      if (typeof node === 'number' || typeof node === 'bigint') values.push(Number(node));
      else throw new LogFormatError(`${where}${path}`, `expected a number, found ${JSON.stringify(node)}`);
      return;
    }
    if (!Array.isArray(node) || node.length !== dims[depth])
      throw new LogFormatError(`${where}${path}`, `expected a list of ${dims[depth]} entries (shape [${dims.join(', ')}])`);
    node.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(v.__ndarray__, 0, '.__ndarray__');
  return { dtype, shape: dims, values };
}

/** Nests row-major values into lists of the given shape; `leaf` turns each value into its JSON form. */
export function nest(values: readonly number[], shape: readonly number[], leaf: (x: number) => PyJson): PyJson {
  let offset = 0;
  const build = (depth: number): PyJson => {
    if (depth === shape.length) return leaf(values[offset++]);
    return Array.from({ length: shape[depth] }, () => build(depth + 1));
  };
  return build(0);
}

/** The size of a shape (1 for a scalar's empty shape). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encodes values as json_tricks does; integer dtypes require integral values. */
export function encodeNdArray(values: readonly number[], shape: readonly number[], dtype: string, where: string): PyJson {
  if (shapeSize(shape) !== values.length) throw new LogFormatError(where, `${values.length} values do not fill shape [${shape.join(', ')}]`);
  const isInt = INT_DTYPES.includes(dtype);
  const leaf = (x: number): PyJson => {
    if (!isInt) return x;
    if (!Number.isInteger(x)) throw new LogFormatError(where, `value ${x} is not an integer but dtype is ${dtype}`);
    return BigInt(x);
  };
  const out: { [key: string]: PyJson } = {};
  if (shape.length > 1) out.Corder = true;
  out.__ndarray__ = nest(values, shape, leaf);
  out.dtype = dtype;
  out.shape = shape.map((d) => BigInt(d));
  return out;
}
