import { histogram, mean, median, quantile, std, sum, variance } from '../src/index.js';

describe('statistics', () => {
  it('sums without drift', () => {
    const xs = [1e16, 1, -1e16, 1];
    expect(sum(xs)).toBe(2);
    expect(sum(new Float64Array(1_000_000).fill(0.1))).toBeCloseTo(100_000, 8);
  });

  it('computes mean and variance with the stated ddof (numpy: [1,2,3,4] → var 1.25, ddof=1 → 5/3)', () => {
    const xs = [1, 2, 3, 4];
    expect(mean(xs)).toBe(2.5);
    expect(variance(xs, 0)).toBeCloseTo(1.25, 15);
    expect(variance(xs, 1)).toBeCloseTo(5 / 3, 15);
    expect(std(xs, 1)).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(() => variance([1], 1)).toThrow(RangeError);
    expect(() => mean([])).toThrow(RangeError);
  });

  it('interpolates quantiles like numpy (linear)', () => {
    // numpy.quantile([1, 2, 3, 4, 10], [0, .25, .5, .9, 1]) = [1, 2, 3, 7.6, 10]
    const xs = [10, 1, 3, 2, 4];
    expect([0, 0.25, 0.5, 0.9, 1].map((q) => quantile(xs, q))).toEqual([1, 2, 3, expect.closeTo(7.6, 12), 10]);
    expect(median([3, 1, 2, 4])).toBe(2.5);
    expect(() => quantile(xs, 1.5)).toThrow(RangeError);
  });

  it('bins by the edges, the last bin closed, outliers dropped or clamped', () => {
    const h = histogram([0, 0.5, 0.99, 1, 2, 3.9, 4, 5, -1, NaN], 4, 0, 4);
    expect(h.edges).toEqual([0, 1, 2, 3, 4]);
    expect(h.counts).toEqual([3, 1, 1, 2]);
    expect(histogram([5, -1], 4, 0, 4, true).counts).toEqual([1, 0, 0, 1]);
    // Brute force against an edge search on random data.
    const xs = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 3);
    const { edges, counts } = histogram(xs, 37, -3, 3);
    const brute = new Array(37).fill(0);
    for (const x of xs) {
      const b = edges.findIndex((e, i) => i < 37 && x >= e && (x < edges[i + 1] || (i === 36 && x <= edges[37])));
      if (b >= 0) brute[b]++;
    }
    expect(counts).toEqual(brute);
  });
});
