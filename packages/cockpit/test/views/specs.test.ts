// The data each spec builder puts into its spec, checked against independent computations on the golden logs
// (read with plain JSON.parse) and on synthetic runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION, type Envelope, type Quantity } from '@flightdeck/core';
import { parseCockpitLog, cockpitLogToEnvelopes } from '../../src/log/index.js';
import {
  PANELS,
  alphaSpec,
  cockpitFigureSpec,
  collectRuns,
  distanceSpec,
  downsample,
  ema,
  gradNormSpec,
  gradientTestsSpec,
  hist1dSpec,
  hist2dSpec,
  hyperparametersSpec,
  learningCurvesSpec,
  maxEvSpec,
  performanceSpec,
  spansDecades,
  ticSpec,
  traceSpec,
  type RunData,
  type VlSpec,
} from '../../src/views/index.js';

const LOGS = join(__dirname, '../fixtures/logs');
type Plain = Record<string, Record<string, any>>;

function golden(name: string): { run: RunData; plain: Plain } {
  const text = readFileSync(join(LOGS, `${name}.cockpit_log.json`), 'utf8');
  const [run] = collectRuns(cockpitLogToEnvelopes(parseCockpitLog(text, name), { runId: name }));
  return { run, plain: JSON.parse(text) };
}

/** Every inline dataset of a spec, depth first. */
function datasets(spec: unknown): any[][] {
  if (Array.isArray(spec)) return spec.flatMap(datasets);
  if (typeof spec !== 'object' || spec === null) return [];
  const own = (spec as any).data?.values ? [(spec as any).data.values] : [];
  return [...own, ...Object.entries(spec).filter(([k]) => k !== 'data').flatMap(([, v]) => datasets(v))];
}

const norm = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + b * b, 0));

/** pandas' ewm(alpha, adjust=False, ignore_na=False).mean() as its Cython loop computes it, over table rows (NaN = no value). */
function pandasEwm(rows: number[], alpha: number): number[] {
  let weighted = rows[0];
  let oldWt = 1;
  const out = [weighted];
  for (let i = 1; i < rows.length; i++) {
    const cur = rows[i];
    const obs = !Number.isNaN(cur);
    if (!Number.isNaN(weighted)) {
      oldWt *= 1 - alpha;
      if (obs) {
        if (weighted !== cur) weighted = (oldWt * weighted + alpha * cur) / (oldWt + alpha);
        oldWt = 1;
      }
    } else if (obs) weighted = cur;
    out.push(weighted);
  }
  return out;
}

/** A synthetic run: `n` steps with scalar quantities and evaluations every 10 steps. */
function synthetic(runId: string, n: number, quantities: (step: number) => Quantity[], evalEvery = 10): Envelope[] {
  const envs: Envelope[] = [];
  let seq = 0;
  const wrap = (body: Partial<Envelope>) => envs.push({ schemaVersion: SCHEMA_VERSION, runId, seq: seq++, timeUnixUs: 1, ...body });
  wrap({ runStarted: { optimizer: 'SGD', parameterNames: ['w', 'b'] } });
  for (let s = 0; s < n; s++) {
    if (s % evalEvery === 0) wrap({ evaluation: { epoch: s / evalEvery, step: s, trainLoss: 2 - s / n, validLoss: 2.1 - s / n, testLoss: 2.2 - s / n, trainAccuracy: 0.1 + (0.8 * s) / n, validAccuracy: 0.1 + (0.7 * s) / n, learningRate: 0.01 / (1 + s / evalEvery) } });
    wrap({ step: { step: s, epoch: Math.floor(s / evalEvery), loss: 2 - s / n, quantities: quantities(s) } });
  }
  return envs;
}

describe('series helpers', () => {
  test("ema reproduces pandas' ewm(alpha=0.2, adjust=False) with gaps counted in rows", () => {
    const rows = [3, NaN, 1, 4, NaN, NaN, 1, 5, 9, NaN, 2, 6];
    const expected = pandasEwm(rows, 0.2);
    const points = rows.flatMap((v, step) => (Number.isNaN(v) ? [] : [{ step, value: v }]));
    const got = ema(rows.map((_, i) => i), points);
    points.forEach((p, i) => expect(got[i]).toBeCloseTo(expected[p.step], 12));
  });
  test('downsample keeps the extremes and bounds the length', () => {
    const xs = Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 1000) + (i === 54_321 ? 50 : 0) - (i === 7 ? 30 : 0));
    const thin = downsample(xs.map((v, i) => ({ i, v })), 1000, (p) => p.v);
    expect(thin.length).toBeLessThanOrEqual(1000);
    expect(thin.map((p) => p.i)).toEqual(expect.arrayContaining([0, 7, 54_321, 99_999]));
    expect(thin.every((p, k) => k === 0 || p.i > thin[k - 1].i)).toBe(true);
    expect(downsample([1, 2, 3], 10, (x) => x)).toEqual([1, 2, 3]);
  });
  test('spansDecades', () => {
    expect(spansDecades([1, 2, 500])).toBe(true);
    expect(spansDecades([1, 2, 50])).toBe(false);
    expect(spansDecades([-1, 2, 500])).toBe(false);
  });
});

describe('instrument specs on the golden mlp logs', () => {
  const { run, plain } = golden('mlp');
  const steps = Object.keys(plain).map(Number);

  test('Gradient Norm: total norm over parameters per step', () => {
    const [rows] = datasets(gradNormSpec([run]));
    expect(rows.map((r: any) => r.step)).toEqual(steps);
    rows.forEach((r: any) => expect(r.value).toBeCloseTo(norm(plain[r.step].GradNorm), 14));
    expect(rows[0].ema).toBe(rows[0].value);
    expect(rows[1].ema).toBeCloseTo(0.8 * rows[0].value + 0.2 * rows[1].value, 14);
  });

  test('Distance: Distance on the left, UpdateSize (stored under the step it belongs to) on the right', () => {
    const spec = distanceSpec([run])!;
    const [distance, update] = datasets(spec);
    expect(distance.map((r: any) => r.value)).toEqual(steps.map((s) => norm(plain[s].Distance)));
    expect(update.map((r: any) => r.step)).toEqual([0, 1, 2]);
    update.forEach((r: any) => expect(r.value).toBeCloseTo(norm(plain[r.step].UpdateSize), 14));
    expect((spec as any).resolve.scale.y).toBe('independent');
  });

  test('Max Eigenvalue on a log axis, Trace as the plain sum, TIC from TICDiag', () => {
    const ev = maxEvSpec([run])! as any;
    expect(datasets(ev)[0].map((r: any) => r.value)).toEqual(steps.map((s) => plain[s].HessMaxEV));
    expect(ev.layer[0].encoding.y.scale.type).toBe('log');
    datasets(traceSpec([run])!)[0].forEach((r: any) => expect(r.value).toBeCloseTo(plain[r.step].HessTrace.reduce((a: number, b: number) => a + b), 14));
    expect(datasets(ticSpec([run])!)[0].map((r: any) => r.value)).toEqual(steps.map((s) => plain[s].TICDiag));
  });

  test('Gradient Tests: series of the three tests and the gauge of the latest step', () => {
    const spec = gradientTestsSpec([run])! as any;
    const [norms, inners, orthos] = datasets(spec.hconcat[0]);
    expect(norms.map((r: any) => r.value)).toEqual(steps.map((s) => plain[s].NormTest));
    expect(inners.map((r: any) => r.value)).toEqual(steps.map((s) => plain[s].InnerTest));
    expect(orthos.map((r: any) => r.value)).toEqual(steps.map((s) => plain[s].OrthoTest));
    const [innerBand, orthoBand, disc] = datasets(spec.hconcat[1]);
    const last = plain['3'];
    expect(innerBand[0].y2).toBe(Math.min(2, last.InnerTest));
    expect(orthoBand[0].x2).toBe(Math.min(2, last.OrthoTest));
    disc.forEach((p: any) => expect(Math.hypot(p.x, p.y)).toBeCloseTo(last.NormTest, 12));
  });

  test('Gradient Element Histogram: the latest step, and stepping back', () => {
    for (const [stepBack, step] of [[0, 3], [1, 2], [3, 0], [10, 0]]) {
      const spec = hist1dSpec([run], { stepBack })! as any;
      expect(spec.title.subtitle).toBe(`step ${step}`);
      const { hist, edges } = plain[step].GradHist1d;
      const bars = datasets(spec)[0];
      const nonzero = hist.__ndarray__.flatMap((c: number, i: number) => (c > 0 ? [{ lo: edges.__ndarray__[i], hi: edges.__ndarray__[i + 1], count: c }] : []));
      expect(bars).toEqual(nonzero);
      expect(spec.encoding.y.scale.type).toBe('log');
    }
  });

  test('Gradient/Parameter Element Histogram: cells, orientation and marginals', () => {
    const spec = hist2dSpec([run])! as any;
    const [top, cells, , , right] = datasets(spec);
    const { hist, edges } = plain['3'].GradHist2d;
    const counts: number[][] = hist.__ndarray__;
    const [gEdges, pEdges] = [edges[0].__ndarray__, edges[1].__ndarray__];
    expect(cells.reduce((a: number, c: any) => a + c.count, 0)).toBe(8 * 53);
    for (const c of cells) {
      const i = gEdges.indexOf(c.g0);
      const j = pEdges.indexOf(c.p0);
      expect(counts[i][j]).toBe(c.count);
      expect(c.shade).toBeCloseTo(Math.log10(c.count + 1), 14);
    }
    const colSums = pEdges.slice(1).map((_: number, j: number) => counts.reduce((a, row) => a + row[j], 0));
    expect(top.map((b: any) => b.count)).toEqual(colSums.filter((c: number) => c > 0));
    const rowSums = counts.map((row) => row.reduce((a, b) => a + b, 0));
    expect(right.map((b: any) => b.count)).toEqual(rowSums.filter((c) => c > 0));
  });

  test('layerwise 2-D histograms of the extras run', () => {
    const extras = golden('mlp.extras');
    const spec = hist2dSpec([extras.run], { param: 'param_2' })! as any;
    expect(spec.title.text).toContain('parameter param_2');
    const cells = datasets(spec)[1];
    const counts: number[][] = extras.plain['3'].GradHist2d.param_2.hist.__ndarray__;
    expect(cells.reduce((a: number, c: any) => a + c.count, 0)).toBe(counts.flat().reduce((a, b) => a + b, 0));
  });

  test('Alpha needs two values; the golden log has three', () => {
    const spec = alphaSpec([run])! as any;
    const density = datasets(spec).find((d) => d[0]?.alpha !== undefined)!;
    expect(density.map((d: any) => d.alpha)).toEqual([0, 1, 2].map((s) => Math.max(-1.5, Math.min(1.5, plain[s].Alpha))));
    expect(spec.layer[1].transform[0].density).toBe('alpha');
  });
});

describe('instrument specs on synthetic runs', () => {
  const alphas = (s: number) => Math.sin(s) * 2;
  const [run] = collectRuns(synthetic('syn', 50, (s) => (s > 0 ? [{ name: 'Alpha', forStep: s - 1, scalar: alphas(s - 1) }, { name: 'HessMaxEV', scalar: 10 ** (s / 10) }] : [])));

  test("Alpha: all values grey, the last 10 % (int(rows/10) of them) blue, arrows for |α| > 1.5", () => {
    const spec = alphaSpec([run])! as any;
    const density = datasets(spec).find((d) => d[0]?.alpha !== undefined)!;
    const all = Array.from({ length: 49 }, (_, s) => alphas(s));
    const last = all.slice(-5);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
    const allLabel = `all (μ=${mean(all).toFixed(2)})`;
    const lastLabel = `last 10 % (μ=${mean(last).toFixed(2)})`;
    expect(density.filter((d: any) => d.group === allLabel)).toHaveLength(49);
    expect(density.filter((d: any) => d.group === lastLabel).map((d: any) => d.alpha)).toEqual(last.map((a) => Math.max(-1.5, Math.min(1.5, a))));
    const arrows = datasets(spec).find((d) => d[0]?.side !== undefined)!;
    expect(arrows.filter((a: any) => a.group === allLabel)).toHaveLength(all.filter((a) => Math.abs(a) > 1.5).length);
  });

  test('Performance: mini-batch loss and accuracies with the last value in the legend', () => {
    const spec = performanceSpec([run])! as any;
    const [loss, acc] = datasets(spec);
    expect(loss).toHaveLength(50);
    expect(loss[49].value).toBeCloseTo(2 - 49 / 50, 14);
    const train = acc.filter((r: any) => r.series.startsWith('Training accuracy'));
    expect(train.map((r: any) => r.step)).toEqual([0, 10, 20, 30, 40]);
    expect(train[0].series).toBe(`Training accuracy: (${(100 * (0.1 + (0.8 * 40) / 50)).toFixed(2)} %)`);
    expect(spec.layer[1].encoding.y.scale.domain).toEqual([0, 1]);
  });

  test('Hyperparameters: learning rate with the last value in scientific notation, held to the last step', () => {
    const rows = datasets(hyperparametersSpec([run]))[0];
    expect(rows.map((r: any) => r.lr)).toEqual([0, 1, 2, 3, 4, 4].map((k) => 0.01 / (1 + k)));
    expect(rows.map((r: any) => r.step)).toEqual([0, 10, 20, 30, 40, 49]);
    expect(rows[0].series).toBe('Learning Rate: (2.0E-03)');
  });

  test('DeepOBS learning curves: loss and accuracy per epoch for each split', () => {
    const spec = learningCurvesSpec([run])! as any;
    const [loss, acc] = datasets(spec);
    expect(loss.filter((r: any) => r.split === 'test').map((r: any) => r.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(loss.find((r: any) => r.split === 'valid' && r.epoch === 2).value).toBeCloseTo(2.1 - 20 / 50, 14);
    expect(acc.filter((r: any) => r.split === 'train')).toHaveLength(5);
  });

  test('Max Eigenvalue over four decades is drawn on a log axis', () => {
    const spec = maxEvSpec([run])! as any;
    expect(spec.layer[0].encoding.y.scale.type).toBe('log');
  });

  test('long runs are thinned for drawing, the EMA still computed over every step', () => {
    const [long] = collectRuns(synthetic('long', 20_000, (s) => [{ name: 'GradNorm', vector: { values: [1 + Math.sin(s / 100), 0], labels: ['w', 'b'] } }], 1000));
    const rows = datasets(gradNormSpec([long], { maxPoints: 800 }))[0];
    expect(rows.length).toBeLessThanOrEqual(800);
    const full = ema(long.rows, Array.from({ length: 20_000 }, (_, s) => ({ step: s, value: 1 + Math.sin(s / 100) })));
    rows.forEach((r: any) => expect(r.ema).toBeCloseTo(full[r.step], 12));
  });

  test('several runs: colour by run instead of by iteration', () => {
    const runs = collectRuns([...synthetic('a', 5, () => [{ name: 'GradNorm', vector: { values: [1] } }]), ...synthetic('b', 5, () => [{ name: 'GradNorm', vector: { values: [2] } }])]);
    const spec = gradNormSpec(runs)! as any;
    expect(new Set(datasets(spec)[0].map((r: any) => r.run))).toEqual(new Set(['a', 'b']));
    expect(spec.layer[0].encoding.color.field).toBe('run');
  });
});

test('the figure holds every panel of the original grid, with a note where a quantity is missing', () => {
  const { run } = golden('mlp');
  const spec = cockpitFigureSpec([run]);
  const text = JSON.stringify(spec);
  for (const id of ['alpha', 'distance', 'gradNorm', 'gradientTests', 'hist1d', 'hist2d', 'maxEv', 'trace', 'tic', 'hyperparameters', 'performance'] as const)
    expect(text).toContain(`"${PANELS[id].title}`);
  expect(text).toContain('no data recorded');
  const titles = (spec.vconcat as VlSpec[])[0].hconcat as VlSpec[];
  expect(titles.map((g: any) => g.title.text)).toEqual(['STEP SIZE', 'GRADIENTS', 'CURVATURE']);
});
