// `deepobs analyze`: results folder(s) → figures (SVG/PNG), the results table, performance profiles, one HTML page.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { profileChart, performanceChart, sensitivityChart, testsetChart, varyingHyperparameters, type VegaLiteSpec } from './charts.js';
import { collectResults, type Analysis, type SelectionMode, type SelectionSplit } from './collect.js';
import { performanceProfiles, timesToTarget, type PerformanceProfiles } from './profiles.js';
import { renderCharts } from './render.js';
import { formatPerformance, formatTableMarkdown, formatTuneability, resultsTable, type TableRow } from './table.js';

export interface AnalyzeOptions {
  results: string;
  /** A folder of reference runs (e.g. the DeepOBS baselines), drawn in grey. */
  baselines?: string;
  out: string;
  mode?: SelectionMode;
  split?: SelectionSplit;
  /** Convergence performance per problem; default: convergence_performance.json in the results or baselines folder. */
  thresholds?: Record<string, number>;
  png?: boolean;
  onFile?: (filesDone: number) => void;
}

export interface Report {
  analysis: Analysis;
  baselines?: Analysis;
  table: TableRow[];
  profiles: PerformanceProfiles;
  html: string;
  figures: string[];
}

export const CONVERGENCE_FILE = 'convergence_performance.json';

async function loadThresholds(dirs: Array<string | undefined>): Promise<Record<string, number> | undefined> {
  for (const d of dirs) {
    const f = d && join(d, CONVERGENCE_FILE);
    if (f && existsSync(f)) return JSON.parse(await readFile(f, 'utf8')) as Record<string, number>;
  }
  return undefined;
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

export async function analyze(options: AnalyzeOptions): Promise<Report> {
  const mode = options.mode ?? 'final';
  const split = options.split ?? 'valid';
  const thresholds = options.thresholds ?? (await loadThresholds([options.results, options.baselines]));
  const analysis = await collectResults(options.results, { mode, split, thresholds, onFile: options.onFile });
  // The original baselines are shown as the original chose them: the re-run setting (most seeds).
  const baselines = options.baselines ? await collectResults(options.baselines, { mode: 'most', split: 'test', thresholds }) : undefined;
  const table = resultsTable(analysis);
  const profiles = performanceProfiles(timesToTarget(analysis));

  await mkdir(options.out, { recursive: true });
  const figures: Array<{ name: string; title: string }> = [];
  const png = options.png !== false;
  await renderCharts(
    (function* () {
      for (const f of figureSpecs(analysis, baselines, thresholds, profiles)) {
        figures.push({ name: f.name, title: f.title });
        yield { spec: f.spec, svgPath: join(options.out, `${f.name}.svg`), ...(png ? { pngPath: join(options.out, `${f.name}.png`) } : {}) };
      }
    })(),
  );

  const html = join(options.out, 'index.html');
  await writeFile(html, reportHtml(analysis, table, profiles, figures, !!thresholds));
  await writeFile(join(options.out, 'table.md'), `${formatTableMarkdown(table)}\n`);
  await writeFile(join(options.out, 'summary.json'), JSON.stringify({ mode, split, table, profiles: { ...profiles, taus: undefined, rho: undefined }, skipped: analysis.skipped }, jsonSafe, 2));
  return { analysis, baselines, table, profiles, html, figures: figures.map((f) => join(options.out, `${f.name}.svg`)) };
}

/** Every figure of the report, made one at a time (a large analysis has a thousand of them). */
function* figureSpecs(
  analysis: Analysis,
  baselines: Analysis | undefined,
  thresholds: Record<string, number> | undefined,
  profiles: PerformanceProfiles,
): Generator<{ name: string; title: string; spec: VegaLiteSpec }> {
  for (const p of analysis.problems) {
    const base = baselines?.problems.find((b) => b.problem === p.problem);
    yield { name: `performance-${fileSafe(p.key)}`, title: `Performance: ${p.key}`, spec: performanceChart(p, base, thresholds?.[p.problem]) };
    for (const o of p.optimizers)
      for (const hp of varyingHyperparameters(o.settings))
        yield { name: `sensitivity-${fileSafe(p.key)}-${fileSafe(o.optimizer)}-${fileSafe(hp)}`, title: `Sensitivity: ${p.key} / ${o.optimizer} / ${hp}`, spec: sensitivityChart(p, o, hp) };
  }
  yield { name: 'testset', title: 'Test-set performance across problems', spec: testsetChart(analysis) };
  if (profiles.problems.length > 0) yield { name: 'profiles', title: 'Performance profiles', spec: profileChart(profiles) };
}

/** JSON has no Infinity or NaN: they are written as strings. */
function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

export function selectionStatement(a: Analysis): string {
  const fellBack = a.problems.some((p) => p.optimizers.some((o) => !o.selectionMetric.startsWith(a.split)));
  return (
    `Settings chosen per problem and optimizer by the ${a.mode === 'most' ? 'number of seeds (ties: final value)' : `${a.mode} value`} of the ` +
    `${a.split} metric (accuracy, or loss for loss-only problems)` +
    (fellBack ? `; results without a validation split (DeepOBS 1.1) were chosen on the test metric instead` : '') +
    '. The original DeepOBS baselines were chosen on the test set (final, seed 42) and are shown with their re-run setting.'
  );
}

function reportHtml(a: Analysis, table: TableRow[], profiles: PerformanceProfiles, figures: Array<{ name: string; title: string }>, haveThresholds: boolean): string {
  const rows = table
    .map(
      (r) =>
        `<tr><td>${esc(r.problem)}</td><td>${esc(r.optimizer)}</td><td>${esc(formatPerformance(r))}</td><td>${r.speed === undefined ? 'N.A.' : r.speed.toFixed(2)}</td>` +
        `<td>${esc(formatTuneability(r.tuneability))}</td><td>${r.performance.seeds}</td><td>${esc(r.selectionMetric)}</td></tr>`,
    )
    .join('\n');
  const scores = profiles.optimizers.map((o) => `<tr><td>${esc(o)}</td><td>${profiles.score[o].toFixed(3)}</td></tr>`).join('\n');
  const skipped = a.skipped.map((s) => `<li>${esc(s.file)}: ${esc(s.reason)}</li>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>DeepOBS analysis</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}img{max-width:100%;display:block;margin:1em 0}</style>
</head><body>
<h1>DeepOBS analysis</h1>
<p>${a.files} result files, ${a.problems.length} problem(s). ${esc(selectionStatement(a))}</p>
<h2>Results table</h2>
<p>Performance: final test metric of the chosen setting, mean ± std (population) over its seeds.
Speed: mean over seeds of the first epoch whose test metric reaches the problem's convergence performance (num_epochs + 1 if never)${haveThresholds ? '' : ' — no convergence_performance.json found, so N.A.'}.</p>
<table><tr><th>problem</th><th>optimizer</th><th>performance</th><th>speed (epochs)</th><th>tuneability</th><th>seeds</th><th>chosen on</th></tr>
${rows}
</table>
<h2>Performance profiles</h2>
<p>AlgoPerf-style: time = median over seeds of the epochs to the convergence threshold; ratio to the fastest optimizer per problem, over ${profiles.rMax}× counts as a miss; score B = ∫₁^${profiles.rMax} ρ(τ)dτ / ${profiles.rMax - 1}.</p>
<table><tr><th>optimizer</th><th>score B</th></tr>
${scores}
</table>
${figures.map((f) => `<h2>${esc(f.title)}</h2>\n<img src="${f.name}.svg" alt="${esc(f.title)}">`).join('\n')}
${skipped ? `<h2>Skipped files</h2><ul>${skipped}</ul>` : ''}
</body></html>
`;
}
