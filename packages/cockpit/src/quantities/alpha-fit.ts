// The 1-D quadratic fit behind Alpha: noisy observations of the loss and its slope at both ends of a step of
// length t, fitted by weighted least squares (Cockpit v1.0.2, quantities/alpha.py).

/** Loss and slope observations at one end of the step, with their per-example variances (ddof 1). */
export interface EndObservation {
  f: number;
  varF: number;
  df: number;
  varDf: number;
}

/** A variance of exactly 0 would make the weights infinite; the original replaces it by this, with a warning. */
export const ZERO_VARIANCE_FLOOR = 1e-10;

/**
 * μ of f(x) = μ0 + μ1·x + μ2·x² from f(0), f(t), f'(0), f'(t) weighted by 1/variance, or undefined when the
 * normal equations are exactly singular (numpy's LinAlgError), e.g. for t = 0.
 */
export function fitQuadratic(t: number, start: EndObservation, end: EndObservation, warn: (m: string) => void = () => {}): number[] | undefined {
  const rows: [number[], number, number][] = [
    [[1, 0, 0], start.f, start.varF],
    [[1, t, t * t], end.f, end.varF],
    [[0, 1, 0], start.df, start.varDf],
    [[0, 1, 2 * t], end.df, end.varDf],
  ];
  const a = [0, 1, 2].map(() => [0, 0, 0]);
  const b = [0, 0, 0];
  for (const [phi, y, variance] of rows) {
    let v = variance;
    if (v === 0) {
      warn('Alpha: a variance is exactly 0; using 1e-10 instead');
      v = ZERO_VARIANCE_FLOOR;
    }
    for (let i = 0; i < 3; i++) {
      b[i] += (phi[i] * y) / v;
      for (let j = 0; j < 3; j++) a[i][j] += (phi[i] * phi[j]) / v;
    }
  }
  return solve3(a, b);
}

/** Gaussian elimination with partial pivoting; undefined for an exactly zero pivot, as LAPACK reports. */
function solve3(a: number[][], b: number[]): number[] | undefined {
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (m[pivot][col] === 0) return undefined;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < 3; r++) {
      const factor = m[r][col] / m[col][col];
      for (let c = col; c < 4; c++) m[r][c] -= factor * m[col][c];
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = m[r][3];
    for (let c = r + 1; c < 3; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * The normalised step length: −1 for no progress or a concave fit, 0 for a step into the fitted minimum, 1 for a
 * step to the opposite side at the starting height. undefined when the fit failed for a step of length t > 0
 * (the original stores nothing then).
 */
export function alphaFromFit(t: number, mu: number[] | undefined, warn: (m: string) => void = () => {}): number | undefined {
  if (t === 0) warn('Alpha: the step has length 0');
  if (mu === undefined) return t === 0 ? -1 : undefined;
  if (mu[2] < 0) return -1;
  return (2 * t) / (-mu[1] / mu[2]) - 1;
}
