// The dashboard page: a thin client. The server builds every spec (the same builders as `cockpit plot`); the page
// lists runs, sends the viewer's selection and draws what it is pushed with vega and vega-lite served locally.
import { PANELS, type PanelId } from '../specs/figure.js';

/** The original's grid: three instrument groups side by side, the summary row and the auxiliary screen below. */
const LAYOUT: Array<{ group: string; colour: string; panels: PanelId[]; wide?: boolean }> = [
  { group: 'STEP SIZE', colour: '#4a73ad', panels: ['alpha', 'distance', 'gradNorm'] },
  { group: 'GRADIENTS', colour: '#f28033', panels: ['gradientTests', 'hist1d', 'hist2d'] },
  { group: 'CURVATURE', colour: '#339966', panels: ['maxEv', 'trace', 'tic'] },
  { group: 'SUMMARY', colour: '#555566', panels: ['hyperparameters', 'performance'], wide: true },
  { group: 'AUXILIARY', colour: '#4a73ad', panels: ['meanGsnr', 'cabs', 'earlyStopping'], wide: true },
];

export function dashboardPage(): string {
  const groups = LAYOUT.map(
    (g) =>
      `<section class="group${g.wide ? ' wide' : ''}" style="border-color:${g.colour}"><h2 style="color:${g.colour}">${g.group}</h2>${g.panels
        .map((id) => `<div class="panel empty" data-panel="${id}" data-title="${PANELS[id].title}"></div>`)
        .join('')}</section>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cockpit</title>
<script src="/static/vega.min.js"></script>
<script src="/static/vega-lite.min.js"></script>
<style>
body{margin:0;font-family:"DejaVu Sans",sans-serif;background:#eaeaf2;color:#222}
header{display:flex;gap:16px;align-items:center;padding:8px 16px;background:#fff;border-bottom:1px solid #ccc}
header h1{font-size:20px;margin:0}
#status{font-size:12px;color:#666}
main{display:grid;grid-template-columns:240px max-content max-content;gap:12px;padding:12px;align-items:start}
#runs{background:#fff;padding:8px;border-radius:4px;align-self:start}
#runs label{display:block;font-size:12px;padding:4px;border-bottom:1px solid #eee;cursor:pointer}
.state{font-size:10px;padding:1px 5px;border-radius:8px;margin-left:4px;color:#fff;background:#888}
.state.active{background:#339966}.state.completed{background:#4a73ad}.state.interrupted,.state.failed,.state.diverged{background:#c0392b}
.meta{display:block;color:#777;font-size:11px;margin-left:20px}
#instruments{display:grid;grid-template-columns:repeat(3,max-content);gap:12px;align-items:start}
.group.wide{grid-column:1/-1}
.group.wide .panel{display:inline-block;vertical-align:top;margin-right:8px}
.group{border-top:4px solid;background:rgba(255,255,255,.5);padding:6px;border-radius:4px}
.group h2{font-size:14px;margin:2px 4px 6px;text-align:center}
.panel{background:#fff;margin-bottom:8px;min-height:40px}
.panel.empty::before{content:attr(data-title) ": no data";display:block;color:#999;font-size:12px;padding:10px}
.panel.empty{min-height:0}
#time{font-size:12px}
</style></head>
<body>
<header><h1>Cockpit</h1>
<span id="time">histogram time <button id="back" title="one step back">◀</button><input id="slider" type="range" min="0" max="0" value="0"><button id="fwd" title="one step forward">▶</button><button id="latest">latest</button> <span id="histstep"></span></span>
<span>export <a id="png" href="#">PNG</a> · <a id="svg" href="#">SVG</a></span>
<span id="status">connecting…</span></header>
<main><aside id="runs"><b>Runs</b><div id="runlist"></div></aside>
<div id="instruments">${groups}</div>
<div><section class="group" style="border-color:#4a73ad"><h2 style="color:#4a73ad">DEEPOBS</h2><div class="panel empty" data-panel="learningCurves" data-title="${PANELS.learningCurves.title}"></div></section></div>
</main>
<script>
(() => {
  const token = new URLSearchParams(location.search).get('token');
  const withToken = (q) => token ? q + (q.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : q;
  const state = { runs: [], selected: [], stepBack: 0, hist: null, chosen: false };
  const views = {}, drawn = {};
  let draws = 0;
  const status = document.getElementById('status');
  const send = () => { if (ws.readyState === 1) ws.send(JSON.stringify({ type: 'select', runs: state.selected, stepBack: state.stepBack })); updateExport(); };
  function updateExport() {
    for (const f of ['png', 'svg']) document.getElementById(f).href = withToken('/api/export?format=' + f + '&runs=' + encodeURIComponent(state.selected.join(',')) + '&stepBack=' + state.stepBack);
  }
  function renderRuns() {
    const list = document.getElementById('runlist');
    list.replaceChildren(...state.runs.map((r) => {
      const label = document.createElement('label');
      label.dataset.run = r.runId;
      const box = document.createElement('input');
      box.type = 'checkbox'; box.checked = state.selected.includes(r.runId);
      box.onchange = () => { state.chosen = true; state.selected = box.checked ? [...state.selected, r.runId] : state.selected.filter((x) => x !== r.runId); send(); };
      const badge = document.createElement('span'); badge.className = 'state ' + r.state; badge.textContent = r.state;
      const meta = document.createElement('span'); meta.className = 'meta';
      meta.textContent = [r.testProblem, r.optimizer, r.lastStep !== undefined ? 'step ' + r.lastStep : null].filter(Boolean).join(' · ');
      label.append(box, ' ' + r.runId, badge, meta);
      return label;
    }));
  }
  async function draw(id, spec) {
    const el = document.querySelector('[data-panel="' + id + '"]');
    if (!el) return;
    const json = JSON.stringify(spec);
    if (drawn[id] === json) return;
    drawn[id] = json;
    if (views[id]) { views[id].finalize(); delete views[id]; }
    el.replaceChildren();
    if (!spec) { el.classList.add('empty'); el.dataset.draws = String(++draws); return; }
    el.classList.remove('empty');
    try {
      const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: el, hover: true });
      views[id] = view;
      await view.runAsync();
    } catch (e) { el.textContent = id + ': ' + e.message; }
    el.dataset.draws = String(++draws);
  }
  function showHistogram(h) {
    state.hist = h || null;
    const slider = document.getElementById('slider');
    slider.max = h ? String(h.count - 1) : '0';
    slider.value = h ? String(h.index) : '0';
    document.getElementById('histstep').textContent = h ? 'step ' + h.step + ' (' + (h.index + 1) + ' of ' + h.count + ')' : '';
  }
  const setStepBack = (n) => { const max = state.hist ? state.hist.count - 1 : 0; state.stepBack = Math.max(0, Math.min(max, n)); send(); };
  document.getElementById('slider').oninput = (e) => setStepBack(Number(document.getElementById('slider').max) - Number(e.target.value));
  document.getElementById('back').onclick = () => setStepBack(state.stepBack + 1);
  document.getElementById('fwd').onclick = () => setStepBack(state.stepBack - 1);
  document.getElementById('latest').onclick = () => setStepBack(0);

  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + withToken('/ws'));
  ws.onopen = () => { status.textContent = 'live'; document.body.dataset.connected = 'true'; };
  ws.onclose = () => { status.textContent = 'disconnected (reload to reconnect)'; document.body.dataset.connected = 'false'; };
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type === 'runs') {
      state.runs = m.runs;
      if (!state.chosen && state.selected.length === 0 && m.runs.length) {
        const first = m.runs.find((r) => r.state === 'active') || m.runs[0];
        state.selected = [first.runId];
        send();
      }
      renderRuns();
    } else if (m.type === 'panels') {
      if (JSON.stringify(m.selection.runs) !== JSON.stringify(state.selected)) return;
      showHistogram(m.histogram);
      for (const [id, spec] of Object.entries(m.panels)) draw(id, spec);
    } else if (m.type === 'error') status.textContent = m.message;
  };
})();
</script></body></html>`;
}
