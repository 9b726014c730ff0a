// JSON as Python's `json` module reads and writes it: bare NaN / Infinity / -Infinity tokens, `repr` float
// formatting ("1e-05", "1.0"), ASCII-only strings, and the indent-4 layout of DeepOBS 1.2.
//
// Reading tries the native JSON.parse first (fast) and falls back to a small recursive-descent parser only when
// that fails, so the tokens are recognised by the grammar and a string that merely contains "NaN" is never touched.

export type PyJson = number | string | boolean | null | PyJson[] | { [key: string]: PyJson };

/** A syntax error at a position of the text (1-based line and column). */
export class PyJsonSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} at line ${line}, column ${column} (offset ${offset})`);
    this.name = 'PyJsonSyntaxError';
  }
}

export function parsePythonJson(text: string): PyJson {
  try {
    return JSON.parse(text) as PyJson;
  } catch {
    return new Parser(text).parseDocument();
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORDS: Array<[string, PyJson]> = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseDocument(): PyJson {
    const v = this.value();
    this.ws();
    if (this.pos < this.s.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(detail: string): never {
    const before = this.s.slice(0, this.pos);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const column = this.pos - before.lastIndexOf('\n');
    const what = this.pos >= this.s.length ? 'end of file (truncated?)' : JSON.stringify(this.s.slice(this.pos, this.pos + 12));
    throw new PyJsonSyntaxError(`${detail}; found ${what}`, this.pos, line, column);
  }

  private ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else break;
    }
  }

  private value(): PyJson {
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [word, v] of WORDS) if (this.s.startsWith(word, this.pos)) return (this.pos += word.length), v;
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (m) {
      this.pos += m[0].length;
      return Number(m[0]);
    }
    return this.fail('expected a value');
  }

  private object(): { [key: string]: PyJson } {
    this.pos++;
    const o: { [key: string]: PyJson } = {};
    this.ws();
    if (this.s[this.pos] === '}') return this.pos++, o;
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected a string key');
      const k = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') this.fail(`expected ':' after key ${JSON.stringify(k)}`);
      this.pos++;
      o[k] = this.value();
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return o;
      if (c !== ',') this.pos--, this.fail("expected ',' or '}'");
    }
  }

  private array(): PyJson[] {
    this.pos++;
    const a: PyJson[] = [];
    this.ws();
    if (this.s[this.pos] === ']') return this.pos++, a;
    for (;;) {
      a.push(this.value());
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return a;
      if (c !== ',') this.pos--, this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const q = this.s.indexOf('"', i);
      if (q < 0) this.fail('unterminated string');
      let backslashes = 0;
      for (let j = q - 1; this.s[j] === '\\'; j--) backslashes++;
      i = q + 1;
      if (backslashes % 2 === 0) break;
    }
    try {
      const v = JSON.parse(this.s.slice(start, i)) as string;
      this.pos = i;
      return v;
    } catch {
      return this.fail('invalid string');
    }
  }
}

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16 (with ".0"), else "1e-05". */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  // Both languages print the shortest round-trip digits; in this range both also use fixed notation.
  if (a >= 1e-4 && a < 1e16) return Number.isInteger(x) ? `${x}.0` : String(x);
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

/** A number that Python holds as a float even when it is integral (written "1.0", formatted by float2str). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A JSON string as Python writes it with ensure_ascii (every character outside ' '..'~' escaped). */
export function pyString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type PyWritable = PyJson | PyFloat | PyWritable[] | { [key: string]: PyWritable };

/**
 * `json.dumps(value)` (indent undefined: separators ", " and ": ") or `json.dumps(value, indent=4)`.
 * Integral JS numbers are written as Python ints; wrap a value in PyFloat to write it as a float.
 */
export function dumpPythonJson(value: PyWritable, indent?: number): string {
  const parts: string[] = [];
  write(value, 0);
  return parts.join('');

  function newline(level: number): string {
    return indent === undefined ? '' : `\n${' '.repeat(indent * level)}`;
  }
  function write(v: PyWritable, level: number): void {
    if (v === null) parts.push('null');
    else if (typeof v === 'boolean') parts.push(v ? 'true' : 'false');
    else if (typeof v === 'string') parts.push(pyString(v));
    else if (typeof v === 'number') parts.push(Number.isInteger(v) && !Object.is(v, -0) ? String(v) : pyFloatRepr(v));
    else if (v instanceof PyFloat) parts.push(pyFloatRepr(v.value));
    else if (Array.isArray(v)) {
      if (v.length === 0) return void parts.push('[]');
      parts.push('[');
      v.forEach((x, i) => {
        if (i > 0) parts.push(indent === undefined ? ', ' : ',');
        parts.push(newline(level + 1));
        write(x, level + 1);
      });
      parts.push(newline(level), ']');
    } else {
      const keys = Object.keys(v);
      if (keys.length === 0) return void parts.push('{}');
      parts.push('{');
      keys.forEach((k, i) => {
        if (i > 0) parts.push(indent === undefined ? ', ' : ',');
        parts.push(newline(level + 1), pyString(k), ': ');
        write(v[k], level + 1);
      });
      parts.push(newline(level), '}');
    }
  }
}

/** A list of floats as Python floats (metric curves are always floats, even where a value is integral). */
export function floats(xs: readonly number[]): PyFloat[] {
  return xs.map((x) => new PyFloat(x));
}
