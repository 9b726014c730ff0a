// Comparing our Cockpit output (the log structure of recordsToCockpitLog) with the golden get_output() of the
// original, within float32 tolerances (golden README, "Comparing from tfjs").
import type { GoldenParam } from './golden';

/** Relative tolerance per quantity; Alpha and TICDiag amplify rounding (cancellation, tiny denominators). */
export const RTOL: Record<string, number> = { Alpha: 1e-3, TICDiag: 1e-3 };
export const DEFAULT_RTOL = 1e-4;

export interface StepContext {
  where: string;
  /** ∇ℓ_n, golden layout: [N][D]. */
  perSample: number[][];
  /** θ_t flat, golden layout. */
  theta: number[];
  params: readonly GoldenParam[];
  /** Our Parameters value (nested lists, our layout) as flat vectors in the golden layout. */
  parametersToGolden?: (ours: unknown) => number[][];
}

type Json = unknown;

/** Values of a json_tricks ndarray (numbers or bigints). */
export function ndValues(v: Json): number[] {
  const nd = (v as { __ndarray__: Json }).__ndarray__;
  if (nd === undefined) throw new Error(`not an ndarray: ${JSON.stringify(v)?.slice(0, 80)}`);
  return flatten(nd);
}

function flatten(v: Json): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [Number(v)];
}

export function expectClose(ours: number, golden: number, rtol: number, atol: number, what: string): void {
  if (!(Math.abs(ours - golden) <= atol + rtol * Math.abs(golden))) {
    throw new Error(`${what}: ours ${ours} vs golden ${golden} (|Δ| ${Math.abs(ours - golden).toExponential(2)}, rtol ${rtol}, atol ${atol})`);
  }
}

function expectVectorClose(ours: number[], golden: number[], rtol: number, what: string): void {
  if (ours.length !== golden.length) throw new Error(`${what}: ${ours.length} values, golden has ${golden.length}`);
  const scale = Math.max(...golden.map(Math.abs), 0);
  golden.forEach((g, i) => expectClose(ours[i], g, rtol, rtol * 1e-2 * scale + 1e-9, `${what}[${i}]`));
}

/**
 * Compares every key of the golden step entry except `skip`; returns the histogram entries that moved to a
 * neighbouring bin because they lie within float32 rounding of a bin edge.
 */
export function compareStep(ours: Record<string, Json> | undefined, golden: Record<string, Json>, ctx: StepContext, skip: readonly string[] = []): string[] {
  if (ours === undefined) throw new Error(`${ctx.where}: no output at this step`);
  const moved: string[] = [];
  const keys = Object.keys(golden).filter((k) => !skip.includes(k));
  const missing = keys.filter((k) => !(k in ours));
  if (missing.length) throw new Error(`${ctx.where}: missing ${missing.join(', ')}`);
  for (const key of keys) {
    const what = `${ctx.where} ${key}`;
    const g = golden[key];
    const o = ours[key];
    const rtol = RTOL[key] ?? DEFAULT_RTOL;
    if (key === 'GradHist1d') moved.push(...compareHist1d(o, g, ctx.perSample.flat(), what));
    else if (key === 'GradHist2d') moved.push(...compareHist2d(o, g, ctx, what));
    else if (key === 'Parameters') {
      const flat = (ctx.parametersToGolden ?? ((v) => (v as Json[]).map(flatten)))(o);
      (g as Json[]).forEach((p, i) => expectVectorClose(flat[i], flatten(p), 1e-6, `${what}[${i}]`));
    } else if (typeof g === 'number') expectClose(o as number, g, rtol, 1e-9, what);
    else if (Array.isArray(g)) expectVectorClose(o as number[], g as number[], rtol, what);
    else throw new Error(`${what}: no comparison for this value`);
  }
  return moved;
}

type Range = [number, number];

/** Bins an entry can land in when it may move by float32 rounding: one bin, or two neighbours at an edge. */
function candidateBins(x: number, bin: (v: number) => number, radius: number): [number, number] {
  if (x === 0) return [bin(0), bin(0)];
  const r = 1e-5 * Math.abs(x) + radius;
  return [bin(x - r), bin(x + r)];
}

function histcBin([lo, hi]: Range, bins: number): (v: number) => number {
  return (v) => Math.min(Math.trunc(((Math.min(Math.max(v, lo), hi) - lo) * bins) / (hi - lo)), bins - 1);
}

function cockpit2dBin([lo, hi]: Range, bins: number): (v: number) => number {
  const w = (hi - lo) / bins;
  return (v) => Math.trunc((Math.min(Math.max(v, lo + w / 2), hi - w / 2) - lo) / w);
}

/**
 * Counts must equal the golden ones except that an entry within float32 rounding of an edge may sit in either
 * neighbour: per bin, (entries surely in it) ≤ ours ≤ (entries possibly in it), with the same total. The golden
 * counts must satisfy the same bounds (this checks the binning rule itself).
 */
function checkCounts(ours: number[], golden: number[], lower: number[], upper: number[], what: string): void {
  if (ours.length !== golden.length) throw new Error(`${what}: ${ours.length} bins, golden has ${golden.length}`);
  const total = (a: number[]) => a.reduce((s, x) => s + x, 0);
  if (total(ours) !== total(golden)) throw new Error(`${what}: total ${total(ours)} vs golden ${total(golden)}`);
  golden.forEach((g, b) => {
    if (!(lower[b] <= g && g <= upper[b])) throw new Error(`${what}: golden bin ${b} = ${g} outside [${lower[b]}, ${upper[b]}]: the binning rule differs`);
    if (!(lower[b] <= ours[b] && ours[b] <= upper[b])) throw new Error(`${what}: bin ${b} = ${ours[b]} (golden ${g}) outside [${lower[b]}, ${upper[b]}]`);
  });
}

function rangeOf(edges: number[]): Range {
  return [edges[0], edges[edges.length - 1]];
}

function compareEdges(ours: number[], golden: number[], what: string): void {
  const [lo, hi] = rangeOf(golden);
  golden.forEach((g, i) => expectClose(ours[i], g, 0, 1e-6 * (hi - lo), `${what} edge ${i}`));
}

function compareHist1d(o: Json, g: Json, values: number[], what: string): string[] {
  const gold = g as { hist: Json; edges: Json };
  const ours = o as { hist: Json; edges: Json };
  const edges = ndValues(gold.edges);
  compareEdges(ndValues(ours.edges), edges, what);
  const bins = edges.length - 1;
  const range = rangeOf(edges);
  const bin = histcBin(range, bins);
  const lower = new Array<number>(bins).fill(0);
  const upper = new Array<number>(bins).fill(0);
  const moved: string[] = [];
  const maxAbs = Math.max(...values.map(Math.abs));
  values.forEach((x, k) => {
    const [a, b] = candidateBins(x, bin, 1e-7 * maxAbs);
    if (a === b) lower[a]++;
    else moved.push(`${what}: entry ${k} = ${x} lies at the edge between bins ${a} and ${b}`);
    for (let c = a; c <= b; c++) upper[c]++;
  });
  checkCounts(ndValues(ours.hist), ndValues(gold.hist), lower, upper, what);
  return moved;
}

function compareHist2d(o: Json, g: Json, ctx: StepContext, what: string): string[] {
  const gold = g as Record<string, Json>;
  const ours = o as Record<string, Json>;
  const all = { offset: 0, numel: ctx.theta.length };
  const moved = compareOne2d(ours, gold, ctx, all, what);
  const groups = gold.param_groups;
  if (groups !== undefined) {
    if (Number(ours.param_groups) !== Number(groups)) throw new Error(`${what}: param_groups ${String(ours.param_groups)} vs ${String(groups)}`);
    ctx.params.forEach((p, k) => moved.push(...compareOne2d(ours[`param_${k}`] as Record<string, Json>, gold[`param_${k}`] as Record<string, Json>, ctx, p, `${what} param_${k}`)));
  }
  return moved;
}

function compareOne2d(ours: Record<string, Json>, gold: Record<string, Json>, ctx: StepContext, slice: { offset: number; numel: number }, what: string): string[] {
  const [gx, gy] = (gold.edges as Json[]).map(ndValues);
  const [ox, oy] = (ours.edges as Json[]).map(ndValues);
  compareEdges(ox, gx, `${what} x`);
  compareEdges(oy, gy, `${what} y`);
  const [xb, yb] = [gx.length - 1, gy.length - 1];
  const binX = cockpit2dBin(rangeOf(gx), xb);
  const binY = cockpit2dBin(rangeOf(gy), yb);
  const lower = new Array<number>(xb * yb).fill(0);
  const upper = new Array<number>(xb * yb).fill(0);
  const moved: string[] = [];
  const theta = ctx.theta.slice(slice.offset, slice.offset + slice.numel);
  const xs = ctx.perSample.map((row) => row.slice(slice.offset, slice.offset + slice.numel));
  const maxX = Math.max(...xs.flat().map(Math.abs));
  const maxY = Math.max(...theta.map(Math.abs));
  const yCandidates = theta.map((y) => candidateBins(y, binY, 1e-7 * maxY));
  xs.forEach((row, n) =>
    row.forEach((x, j) => {
      const [xa, xz] = candidateBins(x, binX, 1e-7 * maxX);
      const [ya, yz] = yCandidates[j];
      if (xa === xz && ya === yz) lower[xa * yb + ya]++;
      else moved.push(`${what}: entry (n ${n}, j ${j}) = (${x}, ${theta[j]}) lies at a bin edge`);
      for (let a = xa; a <= xz; a++) for (let b = ya; b <= yz; b++) upper[a * yb + b]++;
    }),
  );
  checkCounts(ndValues(ours.hist), ndValues(gold.hist), lower, upper, what);
  return moved;
}
