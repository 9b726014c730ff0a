// Renders Vega-Lite specs to SVG and PNG files. vega and vega-lite are ESM-only, which a CommonJS package (and jest)
// cannot load in process, so one child Node process renders a whole batch: one start-up per report. Jobs are
// streamed to it one JSON line at a time, so only one figure's data is in memory at once on either side.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

export interface RenderJob {
  spec: Record<string, unknown>;
  svgPath: string;
  /** Also written when given (resvg, system fonts). */
  pngPath?: string;
}

const RENDERER = `
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
const vega = await import('vega');
const vl = await import('vega-lite');
const { Resvg } = createRequire(process.cwd() + '/').call(null, '@resvg/resvg-js');
for await (const line of createInterface({ input: process.stdin })) {
  if (!line) continue;
  const job = JSON.parse(line);
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

/** Renders every job as it comes; rejects naming the figures that failed (the others are written). */
export async function renderCharts(jobs: Iterable<RenderJob>): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RENDERER], { cwd: __dirname, stdio: ['pipe', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      exited = true;
      resolve(code);
    });
  });
  // A renderer that died early is reported by its exit code below, not by a write error here.
  child.stdin.on('error', () => undefined);
  for (const job of jobs) {
    if (exited) break;
    // The renderer runs in this module's folder: paths relative to the caller's working directory are made absolute.
    const absolute = { ...job, svgPath: resolve(job.svgPath), pngPath: job.pngPath && resolve(job.pngPath) };
    if (!child.stdin.write(`${JSON.stringify(absolute)}\n`)) await Promise.race([once(child.stdin, 'drain'), closed]);
  }
  child.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(`chart rendering failed (exit ${code}):\n${stderr.trim()}`);
}
