import { ScheduleKind } from '@flightdeck/core';
import { linear, logarithmic } from '../../src/schedules';

const tracked = (s: (n: number) => boolean, last = 1000) => Array.from({ length: last + 1 }, (_, n) => n).filter(s);

describe('linear', () => {
  test('every interval steps from the offset', () => {
    expect(tracked(linear(1), 5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tracked(linear(1, 2), 4)).toEqual([2, 3, 4]);
    expect(tracked(linear(16), 40)).toEqual([0, 16, 32]);
  });
  test('a negative offset tracks its residue, as in the original (linear(3, −1) → 2, 5, 8)', () => {
    expect(tracked(linear(3, -1), 9)).toEqual([2, 5, 8]);
    expect(linear(3, -1).spec).toEqual({ kind: ScheduleKind.LINEAR, interval: 3, offset: 2 });
  });
  test('rejects a non-positive interval', () => {
    expect(() => linear(0)).toThrow(/interval/);
  });
});

describe('logarithmic', () => {
  test('the set {trunc(base^x)} over linspace, duplicates collapsed', () => {
    expect(tracked(logarithmic(0, 1, 4, 10, false))).toEqual([1, 2, 4, 10]);
    expect(tracked(logarithmic(0, 1, 4))).toEqual([0, 1, 2, 4, 10]);
  });
  test("the paper's showcase schedule logarithmic(0, 19, 300, 2) equals numpy's", () => {
    // int(2 ** x) for x in numpy.linspace(0, 19, 300), recomputed here term by term.
    const expected = new Set([0]);
    for (let i = 0; i < 300; i++) expected.add(Math.trunc(2 ** (i === 299 ? 19 : (i * 19) / 299)));
    const steps = tracked(logarithmic(0, 19, 300, 2), 2 ** 19);
    expect(steps).toEqual([...expected].sort((a, b) => a - b));
    expect(steps[steps.length - 1]).toBe(524288);
  });
});
