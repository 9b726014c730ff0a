import { alphaFromFit, fitQuadratic } from '../../src/quantities';
import { PROBLEMS, loadGolden } from '../golden/golden';

const unit = (f: number, df: number) => ({ f, varF: 1, df, varDf: 1 });

test('on the exact parabola 1 − 2x + x² α is t/x* − 1 (reference §2.7)', () => {
  for (const [t, alpha] of [[0.5, -0.5], [1, 0], [1.5, 0.5], [2, 1]]) {
    const f = (x: number) => 1 - 2 * x + x * x;
    const df = (x: number) => -2 + 2 * x;
    const mu = fitQuadratic(t, unit(f(0), df(0)), unit(f(t), df(t)));
    mu!.forEach((m, i) => expect(m).toBeCloseTo([1, -2, 1][i], 12));
    expect(alphaFromFit(t, mu)).toBeCloseTo(alpha, 12);
  }
});

test('the noisy example of the reference', () => {
  const mu = fitQuadratic(0.3, { f: 2.0, varF: 0.5, df: -1.5, varDf: 2.0 }, { f: 1.7, varF: 0.6, df: 0.4, varDf: 3.0 });
  [1.9443299, -1.5334021, 3.1388316].forEach((m, i) => expect(mu![i]).toBeCloseTo(m, 6));
  expect(alphaFromFit(0.3, mu)).toBeCloseTo(0.2281834, 6);
});

test('every golden brute-force Alpha from its ingredients (float64)', () => {
  for (const name of PROBLEMS) {
    for (const step of loadGolden(name).steps) {
      const a = (step as unknown as { brute_force_alpha: null | { alpha: number; t: number; f: number[]; df: number[]; var_f: number[]; var_df: number[] } }).brute_force_alpha;
      if (a === null) continue;
      const obs = (i: number) => ({ f: a.f[i], varF: a.var_f[i], df: a.df[i], varDf: a.var_df[i] });
      expect(alphaFromFit(a.t, fitQuadratic(a.t, obs(0), obs(1)))).toBeCloseTo(a.alpha, 10);
    }
  }
});

test('corner cases: zero step → −1, concave fit → −1, zero variance floored with a warning', () => {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  expect(alphaFromFit(0, fitQuadratic(0, unit(1, -1), unit(1, -1), warn), warn)).toBe(-1);
  expect(alphaFromFit(1, fitQuadratic(1, unit(0, 1), unit(0, -1)))).toBe(-1);
  const mu = fitQuadratic(1, { f: 1, varF: 0, df: -2, varDf: 1 }, unit(0, 0), warn);
  expect(mu).toBeDefined();
  expect(warnings.some((w) => /variance is exactly 0/.test(w))).toBe(true);
  expect(warnings.some((w) => /length 0/.test(w))).toBe(true);
});
