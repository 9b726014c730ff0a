// Writes the analyzer's Vega-Lite figures as SVG (and PNG) files with Cockpit's server-side renderer. Figures are
// rendered in chunks, so that only a chunk's data is in memory at once however many figures a report has.
import { writeFile } from 'node:fs/promises';
import { renderSvgs, svgToPng, type VlSpec } from '@flightdeck/cockpit';

export interface RenderJob {
  spec: Record<string, unknown>;
  svgPath: string;
  /** Also written when given (resvg, system fonts). */
  pngPath?: string;
}

const CHUNK = 32;

async function write(job: RenderJob, svg: string): Promise<void> {
  await writeFile(job.svgPath, svg);
  if (job.pngPath) await writeFile(job.pngPath, svgToPng(svg, { scale: 1 }));
}

/** Renders every job; rejects naming the figures that failed (the others are written). */
export async function renderCharts(jobs: Iterable<RenderJob>): Promise<void> {
  const failures: string[] = [];
  const flush = async (chunk: RenderJob[]) => {
    try {
      const svgs = await renderSvgs(chunk.map((j) => j.spec as VlSpec));
      for (const [i, job] of chunk.entries()) await write(job, svgs[i].svg);
    } catch {
      // One bad figure fails its chunk: render the chunk's figures one by one to write the good ones.
      for (const job of chunk) {
        try {
          await write(job, (await renderSvgs([job.spec as VlSpec]))[0].svg);
        } catch (e) {
          failures.push(`cannot render ${job.svgPath}: ${(e as Error).message}`);
        }
      }
    }
  };
  let chunk: RenderJob[] = [];
  for (const job of jobs) {
    chunk.push(job);
    if (chunk.length === CHUNK) {
      await flush(chunk);
      chunk = [];
    }
  }
  if (chunk.length) await flush(chunk);
  if (failures.length) throw new Error(`chart rendering failed:\n${failures.join('\n')}`);
}
