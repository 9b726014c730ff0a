// Renders Vega-Lite specs to SVG and PNG files. vega and vega-lite are ESM-only, which a CommonJS package (and jest)
// cannot load in process, so one child Node process renders a whole batch: one start-up per report.
import { spawn } from 'node:child_process';

export interface RenderJob {
  spec: Record<string, unknown>;
  svgPath: string;
  /** Also written when given (resvg, system fonts). */
  pngPath?: string;
}

const RENDERER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const vega = await import('vega');
const vl = await import('vega-lite');
const { Resvg } = createRequire(process.cwd() + '/').call(null, '@resvg/resvg-js');
const jobs = JSON.parse(readFileSync(0, 'utf8'));
for (const job of jobs) {
  try {
    const view = new vega.View(vega.parse(vl.compile(job.spec).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    writeFileSync(job.svgPath, svg);
    if (job.pngPath) writeFileSync(job.pngPath, new Resvg(svg, { font: { loadSystemFonts: true }, background: 'white' }).render().asPng());
  } catch (e) {
    process.stderr.write('cannot render ' + job.svgPath + ': ' + (e && e.message) + '\\n');
    process.exitCode = 1;
  }
}
`;

/** Renders every job; rejects naming the figures that failed (the others are written). */
export function renderCharts(jobs: RenderJob[]): Promise<void> {
  if (jobs.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', RENDERER], { cwd: __dirname, stdio: ['pipe', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`chart rendering failed (exit ${code}):\n${stderr.trim()}`))));
    child.stdin.end(JSON.stringify(jobs));
  });
}
