// DeepOBS's number formatting for folder names: `float2str` and Python's `str()` of hyperparameter values.
import { pyFloatRepr } from '../pyjson/index.js';

/**
 * DeepOBS `float2str`: "{:.10e}" with the mantissa's trailing zeros stripped, e.g. 0.001 → "1.e-03",
 * 0.99 → "9.9e-01", 10^-0.8 → "1.5848931925e-01". Rounds half to even on exact ties, as Python does.
 */
export function float2str(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`float2str: DeepOBS cannot name a folder after the non-finite value ${x}`);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  let [mant, exp] = a.toExponential(10).split('e');
  const twelve = a.toExponential(11);
  // JS breaks an exact tie upwards; Python rounds it to even. A tie needs the exact value to end in that 5.
  if (twelve[12] === '5' && Number(twelve[11]) % 2 === 0 && isExactly(a, twelve)) [mant, exp] = [twelve.slice(0, 12), twelve.split('e')[1]];
  const e = Number(exp);
  return `${sign}${mant.replace(/0+$/, '')}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Whether the double `x` equals the decimal `s` ("d.ddde±k") exactly, compared as rationals. */
function isExactly(x: number, s: string): boolean {
  const [m, e] = s.split('e');
  const frac = m.split('.')[1] ?? '';
  const digits = BigInt(m.replace('.', ''));
  const k = Number(e) - frac.length;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const significand = (bits & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
  const twoExp = (biased === 0 ? 1 : biased) - 1075;
  // significand · 2^twoExp  ==  digits · 10^k
  const left = significand * (twoExp > 0 ? 1n << BigInt(twoExp) : 1n) * (k < 0 ? 10n ** BigInt(-k) : 1n);
  const right = digits * (k > 0 ? 10n ** BigInt(k) : 1n) * (twoExp < 0 ? 1n << BigInt(-twoExp) : 1n);
  return left === right;
}

/** A value as a Python literal inside a list (`repr`): strings quoted, True/False/None. */
function pyRepr(v: unknown, asFloat: boolean): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return pyStr(v, asFloat);
}

/**
 * Python's `str()` of a JSON-like value, as DeepOBS puts it in folder names: floats through float2str at the top
 * level, lists as Python prints them (`[50, 100]`, `[0.1, 0.01]`). `asFloat` says an integral number is a Python float.
 */
export function pyStr(v: unknown, asFloat = false): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return asFloat || !Number.isInteger(v) ? float2str(v) : String(v);
  if (Array.isArray(v)) return `[${v.map((x) => listItem(x, asFloat)).join(', ')}]`;
  if (typeof v === 'string') return v;
  throw new TypeError(`pyStr: cannot name a folder after ${JSON.stringify(v)}`);
}

function listItem(v: unknown, asFloat: boolean): string {
  if (typeof v === 'number') return asFloat || !Number.isInteger(v) ? pyFloatRepr(v) : String(v);
  return pyRepr(v, asFloat);
}
