// Writes JSON as Python's json.dumps does: bare NaN / Infinity / -Infinity (allow_nan), floats as repr, ints as
// ints, ASCII-only strings (ensure_ascii), and either the flat layout or indent=N.

import { pyFloatRepr } from './float-repr.js';
import type { PyJson } from './value.js';

/** Orders an object's keys at a nesting depth (0 = the top-level object). */
export type KeyOrder = (keys: string[], depth: number) => string[];
/** Python's `sort_keys=True`. */
export const sortedKeys: KeyOrder = (keys) => [...keys].sort();

export interface PyJsonDumpOptions {
  /** `indent=N`: one item per line, items separated by ","; absent: one line with ", " separators. */
  indent?: number;
  /** Key order per depth; absent: the objects' own order, as Python writes a dict without sort_keys. */
  keyOrder?: KeyOrder;
}

/** `json.dumps(value, indent=...)` byte for byte; `keyOrder: sortedKeys` gives `sort_keys=True`. */
export function dumpPythonJson(value: PyJson, options: PyJsonDumpOptions = {}): string {
  const { indent, keyOrder } = options;
  const parts: string[] = [];
  const newlines: string[] = [];
  const newline = (depth: number) => (indent === undefined ? '' : (newlines[depth] ??= `\n${' '.repeat(indent * depth)}`));
  const separator = indent === undefined ? ', ' : ',';
  const write = (v: PyJson, depth: number): void => {
    if (v === null) parts.push('null');
    else if (typeof v === 'boolean') parts.push(v ? 'true' : 'false');
    else if (typeof v === 'number') parts.push(pyFloatRepr(v));
    else if (typeof v === 'bigint') parts.push(v.toString());
    else if (typeof v === 'string') parts.push(pyString(v));
    else if (Array.isArray(v)) {
      if (v.length === 0) return void parts.push('[]');
      parts.push('[');
      v.forEach((x, i) => {
        if (i > 0) parts.push(separator);
        parts.push(newline(depth + 1));
        write(x, depth + 1);
      });
      parts.push(newline(depth), ']');
    } else {
      const keys = keyOrder ? keyOrder(Object.keys(v), depth) : Object.keys(v);
      if (keys.length === 0) return void parts.push('{}');
      parts.push('{');
      keys.forEach((k, i) => {
        if (i > 0) parts.push(separator);
        parts.push(newline(depth + 1), pyString(k), ': ');
        write(v[k], depth + 1);
      });
      parts.push(newline(depth), '}');
    }
  };
  write(value, 0);
  return parts.join('');
}

/** A JSON string as Python writes it with ensure_ascii (every character outside ' '..'~' escaped). */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
