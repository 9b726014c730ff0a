// The Python JSON codec against Python's json module itself (run here): repr floats, json.dumps layouts, ints and
// floats kept apart through a read and write, bare NaN / Infinity, and errors that say where.
import { execFileSync } from 'node:child_process';
import { dumpPythonJson, parsePythonJson, pyFloatRepr, PyJsonSyntaxError, sortedKeys, type PyJson } from '../src/index.js';

function python(code: string, input = ''): string {
  return execFileSync('/usr/bin/python3', ['-c', code], { input, encoding: 'utf8' });
}

/** A document with every kind of value, as Python's json.dumps writes it (`layout` is the dumps arguments). */
function pythonDocument(layout: string): string {
  return python(
    [
      'import json,sys',
      'nan=float("nan")',
      'd={"ints":[0,-3,2**70],"floats":[1.0,-0.0,2.5,1e-05,1e16,123456789.125,5e-324,nan,float("inf"),-float("inf")],',
      ' "s":"caf\\u00e9 \\"q\\"\\n\\u007f \\U0001F600 NaN","t":True,"f":False,"n":None,"e":[],"o":{},"z":{"b":[{"c":1}],"a":2.0}}',
      `sys.stdout.write(json.dumps(d${layout}))`,
    ].join('\n'),
  );
}

describe('floats', () => {
  it('are written as Python repr writes them', () => {
    const xs = [0.1, 1 / 3, -2.5e-5, 1e-4, 9.999e-5, 1e15, 1e16, 123456789012345680000, 5e-324, 1.7976931348623157e308, 100, 0.5, 4.16e-17, -1.5e-300];
    for (let i = 0; i < 200; i++) xs.push((Math.random() - 0.5) * 10 ** Math.round((Math.random() - 0.5) * 40));
    const py = python('import json,sys\nfor x in json.load(sys.stdin): print(repr(float(x)))', JSON.stringify(xs)).trim().split('\n');
    expect(xs.map(pyFloatRepr)).toEqual(py);
    expect([-0, NaN, Infinity, -Infinity].map(pyFloatRepr)).toEqual(['-0.0', 'NaN', 'Infinity', '-Infinity']);
  });
});

describe('a document Python wrote', () => {
  it.each([
    ['flat', '', {}],
    ['indent=4', ', indent=4', { indent: 4 }],
    ['indent=2, sort_keys', ', indent=2, sort_keys=True', { indent: 2, keyOrder: sortedKeys }],
  ])('reads and writes back byte for byte (%s)', (_, layout, options) => {
    const text = pythonDocument(layout);
    expect(dumpPythonJson(parsePythonJson(text), options)).toBe(text);
  });

  it('keeps ints (bigint) and floats (number) apart', () => {
    const v = parsePythonJson(pythonDocument('')) as { [key: string]: PyJson[] };
    expect(v.ints).toEqual([0n, -3n, 2n ** 70n]);
    expect(v.floats).toEqual([1, -0, 2.5, 1e-5, 1e16, 123456789.125, 5e-324, NaN, Infinity, -Infinity]);
    expect(v.s).toBe('caf\u00e9 "q"\n\u007f \u{1F600} NaN');
  });

  it("reads the same numbers with ints: 'number', with and without non-finite tokens", () => {
    const text = pythonDocument('');
    const numbers = (x: PyJson): unknown => (typeof x === 'bigint' ? Number(x) : Array.isArray(x) ? x.map(numbers) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, numbers(y)])) : x);
    expect(parsePythonJson(text, { ints: 'number' })).toEqual(numbers(parsePythonJson(text)));
    const finite = text.replace(/, NaN, Infinity, -Infinity/, '');
    expect(parsePythonJson(finite, { ints: 'number' })).toEqual(JSON.parse(finite));
  });
});

describe('writing', () => {
  it('writes Python ints as bigint and every number as a float', () => {
    expect(dumpPythonJson({ n: 3n, x: 3, y: [-0, 1e21] })).toBe('{"n": 3, "x": 3.0, "y": [-0.0, 1e+21]}');
  });
});

describe('reading', () => {
  it('reads bare NaN / Infinity / -Infinity and leaves strings that contain those words alone', () => {
    const v = parsePythonJson('{"x": [NaN, Infinity, -Infinity, 1e-08], "s": "NaN, Infinity", "t": "a\\"NaN\\\\"}') as Record<string, unknown>;
    expect(v.x).toEqual([NaN, Infinity, -Infinity, 1e-8]);
    expect(v.s).toBe('NaN, Infinity');
    expect(v.t).toBe('a"NaN\\');
  });

  it('keeps a "__proto__" key as data', () => {
    const v = parsePythonJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says where a truncated or invalid text breaks, naming the source', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"a": [1, NaN,\n 2', /^<input>:2:3: unexpected end of input \(truncated\?\), expected ',' or '\]'$/],
      ['{"a": nan}', /^<input>:1:7: expected a value, found "nan}"$/],
      ['[1, 2] x', /^<input>:1:8: unexpected text after the JSON value$/],
      ['{"a" 1}', /^<input>:1:6: expected ':' after key "a", found "1}"$/],
      ['{"a": 1 "b": 2}', /^<input>:1:9: expected ',' or '}', found/],
      ['{1: 2}', /^<input>:1:2: expected a string key/],
      ['["ab', /^<input>:1:2: unterminated string$/],
      ['["a\\x"]', /^<input>:1:2: invalid escape or control character in string$/],
      ['["a\nb"]', /^<input>:1:2: invalid escape or control character in string$/],
      ['[01]', /^<input>:1:3: expected ',' or '\]', found "1\]"$/],
      ['[1.]', /^<input>:1:2: expected a value, found "1.\]"$/],
      ['[-]', /^<input>:1:2: expected a value/],
      ['', /^<input>:1:1: unexpected end of input \(truncated\?\), expected a value$/],
    ];
    for (const [text, message] of cases) {
      for (const ints of ['bigint', 'number'] as const) {
        expect(() => parsePythonJson(text, { ints })).toThrow(PyJsonSyntaxError);
        expect(() => parsePythonJson(text, { ints })).toThrow(message);
      }
    }
    let error: unknown;
    try {
      parsePythonJson('{\n  "a": [1,\n  2,, 3]}', { source: 'run.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyJsonSyntaxError);
    expect(error).toMatchObject({ source: 'run.json', line: 3, column: 5, offset: 17, detail: 'expected a value, found ", 3]}"' });
    expect((error as Error).message).toBe('run.json:3:5: expected a value, found ", 3]}"');
  });

  it('rejects what Python rejects', () => {
    const texts = ['[01]', '[1.]', '["a\nb"]', '{"a": nan}', '[1, 2] x', '[+1]', '[.5]', '[1e]', '[NAN]', "['a']", '[1, 2]'];
    const code = 'import json,sys\nfor t in json.load(sys.stdin):\n try: json.loads(t); print("ok")\n except ValueError: print("error")';
    const py = python(code, JSON.stringify(texts)).trim().split('\n');
    const ours = texts.map((t) => {
      try {
        return parsePythonJson(t), 'ok';
      } catch (e) {
        return e instanceof PyJsonSyntaxError ? 'error' : String(e);
      }
    });
    expect(ours).toEqual(py);
    expect(py.filter((r) => r === 'error')).toHaveLength(texts.length - 1);
  });
});
