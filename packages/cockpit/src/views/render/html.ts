// A self-contained HTML page that draws specs with vega and vega-lite inlined from node_modules (no CDN: the
// page works offline), with buttons to save each figure as PNG or SVG.
import { readFile } from 'node:fs/promises';
import type { VlSpec } from '../specs/style.js';

/** The browser builds of vega and vega-lite that the page and the dashboard load. */
export function vegaBrowserScripts(): { vega: string; vegaLite: string } {
  const dir = (pkg: string) => require.resolve(pkg).replace(/[\\/]build[\\/][^\\/]+$/, '');
  return { vega: `${dir('vega')}/build/vega.min.js`, vegaLite: `${dir('vega-lite')}/build/vega-lite.min.js` };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that is safe inside a <script> element. */
export const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

export async function renderHtml(specs: readonly VlSpec[], options: { title?: string } = {}): Promise<string> {
  const scripts = vegaBrowserScripts();
  const [vega, vegaLite] = await Promise.all([readFile(scripts.vega, 'utf8'), readFile(scripts.vegaLite, 'utf8')]);
  const title = escapeHtml(options.title ?? 'Cockpit');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;background:#eaeaf2;margin:16px}.figure{margin-bottom:24px}button{margin-right:6px}</style>
<script>${vega.replace(/<\/script/gi, '<\\/script')}</script>
<script>${vegaLite.replace(/<\/script/gi, '<\\/script')}</script>
</head><body>
<div id="figures"></div>
<script>
const specs = ${scriptJson(specs)};
const root = document.getElementById('figures');
specs.forEach(async (spec, i) => {
  const box = document.createElement('div'); box.className = 'figure';
  const bar = document.createElement('div');
  const el = document.createElement('div');
  box.append(bar, el); root.append(box);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: el, hover: true });
  await view.runAsync();
  for (const type of ['png', 'svg']) {
    const b = document.createElement('button'); b.textContent = 'Save ' + type.toUpperCase();
    b.onclick = async () => { const a = document.createElement('a'); a.href = await view.toImageURL(type, type === 'png' ? 2 : 1); a.download = 'cockpit-' + i + '.' + type; a.click(); };
    bar.append(b);
  }
});
</script></body></html>`;
}
