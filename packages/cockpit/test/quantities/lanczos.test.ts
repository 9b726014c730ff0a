// Lanczos over many steps against the known spectrum of a diagonal operator: Ritz values lie inside the spectrum
// (an orthogonal basis guarantees it) and the extreme one converges to the extreme eigenvalue.
import { lanczos } from '../../src/quantities/lanczos.js';

const D = 3000;
// 1000 distinct eigenvalues in [1, 2) (plus −3 for the magnitude target), each several times: a spread spectrum on
// which Lanczos keeps going, and rounding, left alone, would pile up in the basis.
const spectrum = (negative: boolean) => Float64Array.from({ length: D }, (_, i) => (negative && i === 7 ? -3 : 1 + ((i * 7919) % 1000) / 1000));

function operator(diagonal: Float64Array) {
  return async (q: Float32Array) => Float32Array.from(q, (v, i) => v * diagonal[i]!);
}

const start = Float32Array.from({ length: D }, (_, i) => 1 + (i % 3));

test.each([
  ['algebraic', false, 1.999],
  ['magnitude', true, -3],
] as const)('40 steps, %s target: the Ritz value stays in the spectrum and reaches its extreme', async (target, negative, extreme) => {
  const diagonal = spectrum(negative);
  const result = await lanczos(operator(diagonal), start, { target, maxIterations: 40, converged: () => false, withVector: true });
  expect(result.iterations).toBe(40);
  expect(Math.abs(result.value)).toBeLessThanOrEqual(Math.abs(extreme) * (1 + 1e-6));
  expect(Math.abs(result.value - extreme)).toBeLessThan(5e-3 * Math.abs(extreme));
  // The Ritz vector is a unit vector whose Rayleigh quotient is the value.
  const x = result.vector!;
  const norm = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  const quotient = x.reduce((s, v, i) => s + v * v * diagonal[i]!, 0);
  expect(norm).toBeCloseTo(1, 5);
  expect(quotient).toBeCloseTo(result.value, 4);
});
