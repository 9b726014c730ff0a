// Reads JSON as Python's json module writes it: standard JSON plus the bare tokens NaN, Infinity and -Infinity.

import type { PyJson } from './value.js';

/** A syntax error at a place of the text (1-based line and column), e.g. `run.json:3:17: expected a value, found "nan}"`. */
export class PyJsonSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${source}:${line}:${column}: ${detail}`);
    this.name = 'PyJsonSyntaxError';
  }
}

export interface PyJsonParseOptions {
  /** Names the text (a file path) in error messages. */
  source?: string;
  /**
   * 'bigint' (the default): ints become bigint and floats number, so writing the value back reproduces the text.
   * 'number': ints become numbers too, for readers whose own format says which is which; JSON.parse reads the
   * text then, and the slower parser only sees texts with non-finite tokens.
   */
  ints?: 'bigint' | 'number';
}

export function parsePythonJson(text: string, options: PyJsonParseOptions = {}): PyJson {
  const { source = '<input>', ints = 'bigint' } = options;
  if (ints === 'number') {
    try {
      return JSON.parse(text) as PyJson;
    } catch {
      // Bare NaN / Infinity, or a real syntax error the parser below locates.
    }
  }
  return new Parser(text, source, ints === 'bigint').parseDocument();
}

const WORDS: ReadonlyArray<readonly [string, PyJson]> = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];
const NEEDS_JSON_PARSE = /[\\\x00-\x1f]/;

// Character codes the parser compares with.
const [TAB, NEWLINE, RETURN, SPACE] = [9, 10, 13, 32];
const [PLUS, MINUS, DOT, ZERO, NINE, UPPER_E, LOWER_E] = [43, 45, 46, 48, 57, 69, 101];

const isDigit = (c: number) => c >= ZERO && c <= NINE;

class Parser {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly source: string,
    private readonly bigints: boolean,
  ) {}

  parseDocument(): PyJson {
    const v = this.value();
    this.ws();
    if (this.pos < this.s.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  /** Fails at the current position: `expected` says what should have come there. */
  private expected(what: string): never {
    if (this.pos >= this.s.length) return this.fail(`unexpected end of input (truncated?), expected ${what}`);
    return this.fail(`expected ${what}, found ${JSON.stringify(this.s.slice(this.pos, this.pos + 12))}`);
  }

  private fail(detail: string): never {
    const before = this.s.slice(0, this.pos);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const column = this.pos - before.lastIndexOf('\n');
    throw new PyJsonSyntaxError(this.source, detail, this.pos, line, column);
  }

  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === SPACE || c === NEWLINE || c === RETURN || c === TAB) this.pos++;
      else return;
    }
  }

  private value(): PyJson {
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const n = this.number();
    if (n !== undefined) return n;
    for (const [word, v] of WORDS) if (this.s.startsWith(word, this.pos)) return (this.pos += word.length), v;
    return this.expected('a value');
  }

  /** A JSON number token at the position (advanced past it), or undefined (position unchanged) when there is none. */
  private number(): number | bigint | undefined {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === MINUS) i++;
    const digits = i;
    if (s.charCodeAt(i) === ZERO) i++;
    else while (isDigit(s.charCodeAt(i))) i++;
    if (i === digits) return undefined;
    let isFloat = false;
    if (s.charCodeAt(i) === DOT) {
      const fraction = ++i;
      while (isDigit(s.charCodeAt(i))) i++;
      if (i === fraction) return undefined;
      isFloat = true;
    }
    const e = s.charCodeAt(i);
    if (e === LOWER_E || e === UPPER_E) {
      i++;
      if (s.charCodeAt(i) === PLUS || s.charCodeAt(i) === MINUS) i++;
      const exponent = i;
      while (isDigit(s.charCodeAt(i))) i++;
      if (i === exponent) return undefined;
      isFloat = true;
    }
    this.pos = i;
    const token = s.slice(start, i);
    return this.bigints && !isFloat ? BigInt(token) : Number(token);
  }

  private object(): { [key: string]: PyJson } {
    this.pos++;
    const o: { [key: string]: PyJson } = {};
    this.ws();
    if (this.s[this.pos] === '}') return this.pos++, o;
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.expected('a string key');
      const k = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') this.expected(`':' after key ${JSON.stringify(k)}`);
      this.pos++;
      const v = this.value();
      // A "__proto__" key in a file is data: plain assignment would replace the object's prototype instead.
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
      this.ws();
      if (this.s[this.pos] === '}') return this.pos++, o;
      if (this.s[this.pos] !== ',') this.expected("',' or '}'");
      this.pos++;
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
      if (this.s[this.pos] === ']') return this.pos++, a;
      if (this.s[this.pos] !== ',') this.expected("',' or ']'");
      this.pos++;
    }
  }

  private string(): string {
    const start = this.pos;
    let end = start;
    do {
      end = this.s.indexOf('"', end + 1);
      if (end < 0) this.fail('unterminated string');
    } while (this.escaped(end));
    const body = this.s.slice(start + 1, end);
    // Escapes and control characters (which JSON forbids unescaped) go through JSON.parse.
    let text = body;
    if (NEEDS_JSON_PARSE.test(body)) {
      try {
        text = JSON.parse(this.s.slice(start, end + 1)) as string;
      } catch {
        this.pos = start;
        return this.fail('invalid escape or control character in string');
      }
    }
    this.pos = end + 1;
    return text;
  }

  /** Whether the quote at `i` follows an odd number of backslashes. */
  private escaped(i: number): boolean {
    let backslashes = 0;
    while (this.s[i - 1 - backslashes] === '\\') backslashes++;
    return backslashes % 2 === 1;
  }
}
