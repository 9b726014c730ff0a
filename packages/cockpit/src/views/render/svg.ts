// Vega-Lite spec → SVG on the server, without a browser. vega and vega-lite ship as ES modules only; they are
// loaded in a worker thread by a native `import()`, which works the same from the CommonJS build and under jest
// (whose transform would otherwise turn `import()` into a `require` that cannot load ES modules).
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { VlSpec } from '../specs/style.js';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const vega = await import(workerData.vega);
  const vl = await import(workerData.vegaLite);
  const out = [];
  for (const spec of workerData.specs) {
    try {
      const warnings = [];
      const logger = { level() { return this; }, warn(...m) { warnings.push(m.join(' ')); return this; }, info() { return this; }, debug() { return this; }, error(...m) { warnings.push(m.join(' ')); return this; } };
      const compiled = vl.compile(spec, { logger }).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
      out.push({ svg: await view.toSVG(), warnings });
      view.finalize();
    } catch (e) {
      out.push({ error: String(e && e.stack || e) });
    }
  }
  parentPort.postMessage(out);
})().catch((e) => parentPort.postMessage([{ error: String(e && e.stack || e) }]));
`;

export interface SvgResult {
  svg: string;
  /** Vega-Lite's compile warnings (a spec problem worth fixing, not fatal). */
  warnings: string[];
}

/** Renders several specs in one worker (loading vega once). Rejects with the first spec's error, naming its index. */
export async function renderSvgs(specs: readonly VlSpec[]): Promise<SvgResult[]> {
  const workerData = {
    vega: pathToFileURL(require.resolve('vega')).href,
    vegaLite: pathToFileURL(require.resolve('vega-lite')).href,
    specs,
  };
  const results = await new Promise<Array<SvgResult | { error: string }>>((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData });
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`vega render worker exited with code ${code}`));
    });
  });
  return results.map((r, i) => {
    if ('error' in r) throw new Error(`rendering spec ${i} failed: ${r.error}`);
    return r;
  });
}

export async function renderSvg(spec: VlSpec): Promise<string> {
  return (await renderSvgs([spec]))[0].svg;
}
