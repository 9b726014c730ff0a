// NumpyRandomState against numpy's own np.random.RandomState, run by the test, for several seeds and sizes (across
// MT19937's 624-word refills and the normal kept between calls): bit-identical words and doubles; normals equal up to
// the last bit or two, because V8's Math.log and the C library's log round differently now and then (after the
// float32 cast DeepOBS applies, the quadratic data are bit-identical: quadratic-data.test.ts).
import { execFileSync } from 'node:child_process';
import { NumpyRandomState } from '../../src/data/numpy-random-state.js';

const SEEDS = [0, 1, 42, 43, 44, 5489, 123456789, 0xffffffff];
/** Sizes of consecutive `normal` calls on one generator: odd sizes leave a kept normal for the next call. */
const NORMAL_CALLS: Array<[loc: number, scale: number, size: number]> = [[0, 1, 1], [0, 0.6, 3], [2.5, 0.1, 2], [-1, 3, 1001], [0, 0.6, 700]];

const SCRIPT = `import base64, json, sys
import numpy as np
calls = json.loads(sys.argv[2])
b64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()
out = {}
for seed in json.loads(sys.argv[1]):
    words = np.random.RandomState(seed).randint(0, 2**32, size=1400, dtype=np.uint32).astype('<u4')
    samples = np.random.RandomState(seed).random_sample(1500).astype('<f8')
    rs = np.random.RandomState(seed)
    normals = np.concatenate([rs.normal(loc, scale, size) for loc, scale, size in calls]).astype('<f8')
    out[str(seed)] = {'words': b64(words), 'samples': b64(samples), 'normals': b64(normals)}
print(json.dumps(out))`;

type Expected = Record<string, { words: string; samples: string; normals: string }>;

const fromBase64 = <T>(text: string, View: new (b: ArrayBuffer) => T): T => {
  const bytes = Buffer.from(text, 'base64');
  return new View(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

const expected: Expected = JSON.parse(
  execFileSync('/usr/bin/python3', ['-c', SCRIPT, JSON.stringify(SEEDS), JSON.stringify(NORMAL_CALLS)], { encoding: 'utf8', maxBuffer: 64 << 20 }),
);

describe.each(SEEDS)('RandomState(%d)', (seed) => {
  test('MT19937 words equal numpy randint(0, 2**32, dtype=uint32)', () => {
    const rs = new NumpyRandomState(seed);
    const ours = Uint32Array.from({ length: 1400 }, () => rs.nextUint32());
    expect(ours).toEqual(fromBase64(expected[seed].words, Uint32Array));
  });

  test('random_sample doubles are bit-identical', () => {
    const rs = new NumpyRandomState(seed);
    const ours = Float64Array.from({ length: 1500 }, () => rs.randomSample());
    expect(ours).toEqual(fromBase64(expected[seed].samples, Float64Array));
  });

  test('normal(loc, scale, size) over consecutive calls agrees to a few units in the last place', () => {
    const rs = new NumpyRandomState(seed);
    const theirs = fromBase64(expected[seed].normals, Float64Array);
    let i = 0;
    let exact = 0;
    for (const [loc, scale, size] of NORMAL_CALLS) {
      for (const ours of rs.normal(loc, scale, size)) {
        const z = (theirs[i] - loc) / scale;
        expect(Math.abs(ours - theirs[i])).toBeLessThanOrEqual(2 ** -50 * (Math.abs(loc) + scale * Math.abs(z)));
        if (ours === theirs[i]) exact++;
        i++;
      }
    }
    expect(i).toBe(theirs.length);
    // A wrong pairing or a lost kept value would make (almost) every value differ, not a few last bits.
    expect(exact / i).toBeGreaterThan(0.9);
  });
});

test('seeds RandomState rejects are rejected, naming the seed', () => {
  for (const bad of [-1, 2 ** 32, 1.5, NaN]) expect(() => new NumpyRandomState(bad)).toThrow(`got ${bad}`);
  expect(() => new NumpyRandomState(0).normal(0, -1, 2)).toThrow('scale must be ≥ 0, got -1');
});
