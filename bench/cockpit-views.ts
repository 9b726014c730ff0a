// What downsampling buys the dashboard on a long run: time to build every panel of a viewer's selection, the size of
// the message pushed to the page, and the time to draw one panel to SVG, with the default point budget against
// drawing every point (the baseline), in one process.
// Run: node -r ./tools/ts-register.cjs bench/cockpit-views.ts [steps=100000]
import { SCHEMA_VERSION } from '@flightdeck/core';
import { RunCollector, panelSpec, panelsFor, renderSvgs, DEFAULT_MAX_POINTS } from '../packages/cockpit/src/views/index.js';

const steps = Number(process.argv[2] ?? 100_000);
const collector = new RunCollector();
collector.add({ schemaVersion: SCHEMA_VERSION, runId: 'long', seq: 0, runStarted: { optimizer: 'SGD' } });
for (let s = 0; s < steps; s++) {
  const noise = Math.sin(s * 12.9898) * 0.1;
  collector.add({
    schemaVersion: SCHEMA_VERSION,
    runId: 'long',
    seq: s + 1,
    step: {
      step: s,
      loss: 2 / (1 + s / 1000) + noise,
      quantities: [
        { name: 'GradNorm', vector: { values: [1 / (1 + s / 500) + noise, 0.1] } },
        { name: 'Distance', vector: { values: [Math.sqrt(s) / 100, 0.01] } },
        { name: 'HessMaxEV', scalar: 10 + 5 * Math.sin(s / 1000) },
        { name: 'NormTest', scalar: 1 + noise },
        { name: 'InnerTest', scalar: 0.5 + noise },
        { name: 'OrthoTest', scalar: 0.8 + noise },
        ...(s % 100 === 0 ? [{ name: 'GradHist1d', histogram1d: { edges: Array.from({ length: 101 }, (_, i) => -2 + i / 25), counts: Array.from({ length: 100 }, (_, i) => (i * s) % 13) } }] : []),
      ],
    },
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeBuild(maxPoints: number): { ms: number; bytes: number } {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    bytes = JSON.stringify(panelsFor(collector, { runs: ['long'], stepBack: 0 }, { maxPoints })).length;
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), bytes };
}

(async () => {
  const thin = timeBuild(DEFAULT_MAX_POINTS);
  const full = timeBuild(Infinity);
  const run = [collector.runs.get('long')!];
  const draw = async (maxPoints: number) => {
    const spec = panelSpec('gradNorm', run, { maxPoints })!;
    const t = performance.now();
    await renderSvgs([spec]);
    return performance.now() - t;
  };
  const drawThin = median([await draw(DEFAULT_MAX_POINTS), await draw(DEFAULT_MAX_POINTS), await draw(DEFAULT_MAX_POINTS)]);
  const drawFull = median([await draw(Infinity), await draw(Infinity), await draw(Infinity)]);
  console.log(`steps ${steps}, point budget ${DEFAULT_MAX_POINTS} per series`);
  console.log(`| What | every point (baseline) | downsampled | ratio |`);
  console.log(`|---|---|---|---|`);
  console.log(`| build all panels (ms) | ${full.ms.toFixed(0)} | ${thin.ms.toFixed(0)} | ${(full.ms / thin.ms).toFixed(1)}× faster |`);
  console.log(`| message to the page (MB) | ${(full.bytes / 1e6).toFixed(1)} | ${(thin.bytes / 1e6).toFixed(2)} | ${(full.bytes / thin.bytes).toFixed(0)}× smaller |`);
  console.log(`| draw Gradient Norm to SVG, incl. loading vega (ms) | ${drawFull.toFixed(0)} | ${drawThin.toFixed(0)} | ${(drawFull / drawThin).toFixed(1)}× faster |`);
})();
