import { Rng, mean, variance } from '../src/index.js';

describe('Rng', () => {
  it('reproduces a stream from the same seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('draws uniforms with the moments of U[0,1)', () => {
    const r = new Rng(1);
    const xs = Array.from({ length: 200_000 }, () => r.next());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Standard errors: mean 1/sqrt(12 n) ≈ 6.5e-4; allow 5 of them.
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(variance(xs, 1) - 1 / 12)).toBeLessThan(2e-3);
  });

  it('draws normals with mean 0, variance 1 and the right tail mass', () => {
    const r = new Rng(2);
    const xs = Array.from({ length: 200_000 }, () => r.normal());
    expect(Math.abs(mean(xs))).toBeLessThan(0.012);
    expect(Math.abs(variance(xs, 1) - 1)).toBeLessThan(0.02);
    const beyond2 = xs.filter((x) => Math.abs(x) > 2).length / xs.length;
    expect(Math.abs(beyond2 - 0.0455)).toBeLessThan(0.003);
  });

  it('gives unbiased integers and permutations', () => {
    const r = new Rng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    const p = Array.from(r.permutation(1000));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it('forks independent, reproducible streams by label', () => {
    const a = new Rng(5).fork('data');
    const b = new Rng(5).fork('data');
    const c = new Rng(5).fork('init');
    expect(a.next()).toBe(b.next());
    expect(new Rng(5).fork('data').next()).not.toBe(c.next());
  });
});
