// JSON as Python's `json` module reads and writes it. The original Cockpit's log is `json_tricks.dump(..., indent=4,
// sort_keys=True)`, which (a) writes NaN and Infinity as bare tokens that JSON.parse rejects, and (b) writes floats
// with Python's repr and integers without a point. JSON.parse loses the int/float distinction and JSON.stringify
// formats floats differently, so neither can reproduce the file; this module is the smallest exact substitute.

/** A parsed Python JSON value: floats are `number`, integers are `bigint` (so `1` and `1.0` stay distinct). */
export type PyJson = number | bigint | string | boolean | null | PyJson[] | { [key: string]: PyJson };

export class PyJsonSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`${source}:${line}:${column}: ${detail}`);
    this.name = 'PyJsonSyntaxError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const SPECIAL: ReadonlyArray<[string, number]> = [
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

/** Parses JSON plus Python's bare `NaN`, `Infinity`, `-Infinity`. `source` names the input in error messages. */
export function parsePyJson(text: string, source = '<input>'): PyJson {
  let pos = 0;
  const fail = (detail: string): never => {
    const before = text.slice(0, pos).split('\n');
    throw new PyJsonSyntaxError(source, before.length, before[before.length - 1].length + 1, detail);
  };
  const skipSpace = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const expect = (ch: string) => {
    skipSpace();
    if (text[pos] !== ch) fail(pos >= text.length ? `unexpected end of input, expected '${ch}'` : `expected '${ch}', found '${text[pos]}'`);
    pos++;
  };
  const parseString = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (pos >= text.length) {
      pos = start;
      fail('unterminated string');
    }
    pos++;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      pos = start;
      return fail('bad escape in string');
    }
  };
  const parseValue = (): PyJson => {
    skipSpace();
    if (pos >= text.length) fail('unexpected end of input, expected a value');
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const obj: { [key: string]: PyJson } = {};
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail(pos >= text.length ? 'unexpected end of input inside an object' : 'expected a string key');
        const key = parseString();
        expect(':');
        // defineProperty: a "__proto__" key in a file must stay data, not change the object's prototype.
        Object.defineProperty(obj, key, { value: parseValue(), enumerable: true, writable: true, configurable: true });
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return obj;
        } else fail(pos >= text.length ? 'unexpected end of input inside an object' : `expected ',' or '}', found '${text[pos]}'`);
      }
    }
    if (ch === '[') {
      pos++;
      const arr: PyJson[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue());
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return arr;
        } else fail(pos >= text.length ? 'unexpected end of input inside an array' : `expected ',' or ']', found '${text[pos]}'`);
      }
    }
    if (ch === '"') return parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null], ...SPECIAL] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail(`unexpected character '${ch}'`);
    pos += m[0].length;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  };
  const value = parseValue();
  skipSpace();
  if (pos < text.length) fail(`unexpected '${text[pos]}' after the end of the document`);
  return value;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A string as Python's json writes it with ensure_ascii (every character outside printable ASCII escaped). */
function pythonString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Orders an object's keys; Python's sort_keys compares strings by code point. */
export type KeyOrder = (keys: string[], depth: number) => string[];
export const sortedKeys: KeyOrder = (keys) => [...keys].sort();

/**
 * `json.dumps(value, indent=indent, sort_keys=True)` byte for byte (Python's default allow_nan writes bare NaN and
 * Infinity). `keyOrder` decides the key order per depth (the Cockpit log sorts its integer step keys numerically).
 */
export function dumpPyJson(value: PyJson, options: { indent?: number; keyOrder?: KeyOrder } = {}): string {
  const indent = ' '.repeat(options.indent ?? 4);
  const keyOrder = options.keyOrder ?? sortedKeys;
  const write = (v: PyJson, depth: number): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return pythonFloatRepr(v);
    if (typeof v === 'string') return pythonString(v);
    const inner = '\n' + indent.repeat(depth + 1);
    const outer = '\n' + indent.repeat(depth);
    if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${inner}${v.map((x) => write(x, depth + 1)).join(',' + inner)}${outer}]`;
    const keys = keyOrder(Object.keys(v), depth);
    if (keys.length === 0) return '{}';
    return `{${inner}${keys.map((k) => `${pythonString(k)}: ${write(v[k], depth + 1)}`).join(',' + inner)}${outer}}`;
  };
  return write(value, 0);
}
