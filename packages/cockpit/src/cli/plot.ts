// `cockpit plot`: a run (store log or folder, or a Cockpit JSON log of ours or the original's) → figure file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { collectRuns } from '../views/model.js';
import { loadEnvelopes } from '../views/load.js';
import { renderHtml } from '../views/render/html.js';
import { svgToPng } from '../views/render/png.js';
import { renderSvgs } from '../views/render/svg.js';
import { cockpitFigureSpec, defaultTitle } from '../views/specs/figure.js';

export type FigureFormat = 'png' | 'svg' | 'html';

export interface PlotOptions {
  /** Run of a store folder. */
  runId?: string;
  title?: string;
  /** Histograms: recorded steps back from the latest. */
  stepBack?: number;
  maxPoints?: number;
  /** PNG zoom factor. */
  scale?: number;
  /** Reports spec warnings and a damaged store tail. */
  warn?: (message: string) => void;
}

export function figureFormat(path: string): FigureFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === 'png' || ext === 'svg' || ext === 'html') return ext;
  throw new Error(`${path}: the figure's format comes from its extension, which must be .png, .svg or .html`);
}

/** Writes the Cockpit figure of `source` to `out`; returns the run ids drawn. */
export async function plotToFile(source: string, out: string, options: PlotOptions = {}): Promise<{ runIds: string[]; format: FigureFormat }> {
  const format = figureFormat(out);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const runs = collectRuns(await loadEnvelopes(source, { runId: options.runId, warn }));
  if (runs.length === 0) throw new Error(`${source}: no records to plot`);
  const title = options.title ?? `${defaultTitle(runs)} · ${runs.map((r) => r.runId).join(', ')}`;
  const spec = cockpitFigureSpec(runs, { title, stepBack: options.stepBack, maxPoints: options.maxPoints });
  await mkdir(dirname(out), { recursive: true });
  if (format === 'html') await writeFile(out, await renderHtml([spec], { title }));
  else {
    const [{ svg, warnings }] = await renderSvgs([spec]);
    for (const w of warnings) warn(`vega-lite: ${w}`);
    await writeFile(out, format === 'svg' ? svg : svgToPng(svg, { scale: options.scale }));
  }
  return { runIds: runs.map((r) => r.runId), format };
}
