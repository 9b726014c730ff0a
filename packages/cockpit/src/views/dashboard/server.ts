// The live dashboard: an HTTP page plus a websocket that pushes every instrument of the runs a viewer selected,
// redrawn within a fraction of a second of a record's arrival. Runs come from a live source (the fan-out of the
// bridge or an in-process trainer) and from the store (listed, read on demand).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Envelope, Source } from '@flightdeck/core';
import { RunCollector, type RunData } from '../model.js';
import { svgToPng } from '../render/png.js';
import { vegaBrowserScripts } from '../render/html.js';
import { renderSvgs } from '../render/svg.js';
import { cockpitFigureSpec } from '../specs/figure.js';
import { checkBinding, requestToken, tokenMatches } from './auth.js';
import { PanelCache } from './panel-cache.js';
import { dashboardPage } from './page.js';
import { panelsFor, summarize, type RunSummary, type Selection } from './session.js';

export interface DashboardOptions {
  /** Live envelopes, e.g. a FanOut: subscribed once at start, unsubscribed on close. */
  source?: { subscribe(): Source & { unsubscribe(): void } };
  /** Runs in the store (listed beside the live ones; read when a viewer selects one). */
  listRuns?: () => Promise<Array<string | { runId: string }>> | Array<string | { runId: string }>;
  readRun?: (runId: string) => Source;
  /** Default 127.0.0.1. Any other address requires `token`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Required by the page and every data request when set (at least 8 characters). */
  token?: string;
  /** Longest series a panel draws (default: the specs' default). */
  maxPoints?: number;
  /** Delay that batches bursts of records into one redraw, in ms (default 150). */
  pushIntervalMs?: number;
  /** Where the URL and problems are reported; default console.log / console.warn. */
  log?: (message: string) => void;
}

export interface DashboardServer {
  /** The page's address (with the token when there is one). */
  url: string;
  host: string;
  port: number;
  /** Every run the dashboard has seen, live or read from the store. */
  readonly collector: RunCollector;
  close(): Promise<void>;
}

interface Viewer {
  socket: WebSocket;
  selection: Selection;
  timer?: NodeJS.Timeout;
  /** When this viewer was last sent its panels (performance.now()). */
  sentAt?: number;
}

export async function createDashboardServer(options: DashboardOptions = {}): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  checkBinding(host, options.token);
  const log = options.log ?? ((m: string) => console.log(m));
  const pushInterval = options.pushIntervalMs ?? 150;
  const collector = new RunCollector();
  const panelCache = new PanelCache();
  /** Counts the records taken in: a cached build of panels is current while it has not moved. */
  let version = 0;
  const viewers = new Set<Viewer>();
  const loading = new Map<string, Promise<void>>();
  const scripts = vegaBrowserScripts();
  let listTimer: NodeJS.Timeout | undefined;

  const storedIds = async (): Promise<string[]> => {
    if (!options.listRuns) return [];
    try {
      return (await options.listRuns()).map((r) => (typeof r === 'string' ? r : r.runId));
    } catch (e) {
      log(`dashboard: listing stored runs failed: ${(e as Error).message}`);
      return [];
    }
  };
  const runList = async (): Promise<RunSummary[]> => {
    const live = [...collector.runs.values()].map(summarize);
    const known = new Set(live.map((r) => r.runId));
    const stored = (await storedIds()).filter((id) => !known.has(id)).map((runId): RunSummary => ({ runId, state: 'stored', records: 0 }));
    return [...live, ...stored];
  };

  const sendText = (v: Viewer, text: string) => {
    if (v.socket.readyState === v.socket.OPEN) v.socket.send(text);
  };
  const send = (v: Viewer, message: unknown) => sendText(v, JSON.stringify(message));
  const pushPanels = (v: Viewer) => {
    v.timer = undefined;
    try {
      const { message } = panelCache.get(v.selection, version, () => panelsFor(collector, v.selection, { maxPoints: options.maxPoints }));
      sendText(v, message);
      v.sentAt = performance.now();
    } catch (e) {
      log(`dashboard: building panels for ${v.selection.runs.join(', ')} failed: ${(e as Error).stack}`);
    }
  };
  const schedule = (v: Viewer) => {
    if (v.timer) return;
    const due = (v.sentAt ?? 0) + panelCache.delay(v.selection, pushInterval);
    v.timer = setTimeout(() => pushPanels(v), Math.max(pushInterval, due - performance.now()));
  };
  const scheduleList = () => {
    listTimer ??= setTimeout(async () => {
      listTimer = undefined;
      const runs = await runList();
      for (const v of viewers) send(v, { type: 'runs', runs });
    }, pushInterval);
  };
  const take = (env: Envelope): RunData | undefined => {
    const run = collector.add(env);
    if (!run) return undefined;
    version++;
    scheduleList();
    for (const v of viewers) if (v.selection.runs.includes(run.runId)) schedule(v);
    return run;
  };
  /** A stored run is read once, the first time someone selects it; live records keep arriving meanwhile. */
  const ensureLoaded = (runId: string): Promise<void> => {
    if (collector.runs.has(runId) || !options.readRun) return Promise.resolve();
    let p = loading.get(runId);
    if (!p) {
      const read = options.readRun;
      p = (async () => {
        for await (const env of read(runId)) take(env);
      })().catch((e) => log(`dashboard: reading stored run ${runId} failed: ${(e as Error).message}`));
      loading.set(runId, p);
    }
    return p;
  };

  // Live records.
  const subscription = options.source?.subscribe();
  const pump = subscription
    ? (async () => {
        for await (const env of subscription) {
          try {
            take(env);
          } catch (e) {
            log(`dashboard: record ${env.runId}#${env.seq} ignored: ${(e as Error).message}`);
          }
        }
      })().catch((e) => log(`dashboard: the live source failed; runs seen so far stay available: ${(e as Error).message}`))
    : Promise.resolve();

  const authorized = (req: IncomingMessage, url: URL) => tokenMatches(options.token, requestToken(req, url));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!authorized(req, url)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
      res.end('401: this dashboard needs its token (open the URL it printed)\n');
      return;
    }
    const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (options.token) headers['set-cookie'] = `cockpit_token=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`;
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
        res.end(dashboardPage());
        return;
      case '/static/vega.min.js':
      case '/static/vega-lite.min.js':
        res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
        res.end(await readFile(url.pathname.endsWith('vega.min.js') ? scripts.vega : scripts.vegaLite));
        return;
      case '/api/runs':
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(await runList()));
        return;
      case '/api/export': {
        // The current view as a file: the same figure `cockpit plot` draws, for the viewer's selection and histogram step.
        const format = url.searchParams.get('format');
        const ids = (url.searchParams.get('runs') ?? '').split(',').filter((s) => s);
        const stepBack = Number(url.searchParams.get('stepBack') ?? 0) || 0;
        if ((format !== 'png' && format !== 'svg') || ids.length === 0) {
          res.writeHead(400, { ...headers, 'content-type': 'text/plain' });
          res.end('400: need format=png|svg and runs=<id,...>\n');
          return;
        }
        await Promise.all(ids.map(ensureLoaded));
        const runs = ids.map((id) => collector.runs.get(id)).filter((r): r is RunData => r !== undefined);
        if (runs.length === 0) {
          res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
          res.end(`404: no run ${ids.join(', ')}\n`);
          return;
        }
        const [{ svg }] = await renderSvgs([cockpitFigureSpec(runs, { stepBack, maxPoints: options.maxPoints })]);
        const body = format === 'svg' ? svg : svgToPng(svg);
        res.writeHead(200, {
          ...headers,
          'content-type': format === 'svg' ? 'image/svg+xml' : 'image/png',
          'content-disposition': `attachment; filename="cockpit-${ids.join('+').replace(/[^A-Za-z0-9._-]/g, '_')}.${format}"`,
        });
        res.end(body);
        return;
      }
      default:
        res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
        res.end('404\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`dashboard: ${req.method} ${req.url} failed: ${(e as Error).stack}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('500: internal error (see the server log)\n');
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' || !authorized(req, url)) {
      socket.end(`HTTP/1.1 ${url.pathname !== '/ws' ? '404 Not Found' : '401 Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const viewer: Viewer = { socket: ws, selection: { runs: [], stepBack: 0 } };
      viewers.add(viewer);
      void runList().then((runs) => send(viewer, { type: 'runs', runs }));
      ws.on('message', (data) => {
        let msg: { type?: string; runs?: unknown; stepBack?: unknown };
        try {
          msg = JSON.parse(String(data));
        } catch {
          return send(viewer, { type: 'error', message: 'messages must be JSON' });
        }
        if (msg.type !== 'select' || !Array.isArray(msg.runs) || !msg.runs.every((r) => typeof r === 'string'))
          return send(viewer, { type: 'error', message: 'expected {"type":"select","runs":[...],"stepBack":n}' });
        const stepBack = typeof msg.stepBack === 'number' && Number.isFinite(msg.stepBack) ? Math.max(0, Math.floor(msg.stepBack)) : 0;
        viewer.selection = { runs: msg.runs as string[], stepBack };
        panelCache.retain([...viewers].map((v) => v.selection));
        void Promise.all(viewer.selection.runs.map(ensureLoaded)).then(() => pushPanels(viewer));
      });
      ws.on('close', () => {
        clearTimeout(viewer.timer);
        viewers.delete(viewer);
        panelCache.retain([...viewers].map((v) => v.selection));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`;
  log(`[cockpit] dashboard at ${url}`);

  return {
    url,
    host,
    port,
    collector,
    async close() {
      subscription?.unsubscribe();
      await pump;
      clearTimeout(listTimer);
      for (const v of viewers) {
        clearTimeout(v.timer);
        v.socket.terminate();
      }
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
