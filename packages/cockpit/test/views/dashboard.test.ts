// The dashboard server without a browser: binding rules, the token on every route, and pushes over the websocket.
import { request } from 'node:http';
import WebSocket from 'ws';
import { FanOut, MemorySink, fromArray } from '@flightdeck/core';
import { checkBinding, createDashboardServer, type DashboardServer } from '../../src/views/index.js';
import { finishRun, startRun, streamSteps } from './stream-fixture.js';

const TOKEN = 'test-token-0123456789';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

function wsStatus(url: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('binding', () => {
  test('anything but loopback needs a token', async () => {
    expect(() => checkBinding('0.0.0.0', undefined)).toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(() => checkBinding('192.168.1.5', '')).toThrow(/at least 8 characters/);
    expect(() => checkBinding('0.0.0.0', TOKEN)).not.toThrow();
    expect(() => checkBinding('127.0.0.1', undefined)).not.toThrow();
    expect(() => checkBinding('::1', undefined)).not.toThrow();
    await expect(createDashboardServer({ host: '0.0.0.0', log: () => undefined })).rejects.toThrow(/without a token/);
  });
});

describe('with a token', () => {
  let server: DashboardServer;
  const fanout = new FanOut();
  const printed: string[] = [];
  const stored = new MemorySink();

  beforeAll(async () => {
    const run = await startRun('stored-1', stored);
    await streamSteps(run, 0, 6);
    await finishRun(run, 5);
    server = await createDashboardServer({
      source: fanout,
      token: TOKEN,
      listRuns: () => ['stored-1', { runId: 'never-opened' }],
      readRun: () => fromArray(stored.envelopes),
      log: (m) => printed.push(m),
      pushIntervalMs: 20,
    });
  });
  afterAll(() => server.close());

  test('prints its loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    expect(printed).toContain(`[cockpit] dashboard at ${server.url}`);
  });

  test.each(['/', '/api/runs', '/static/vega.min.js', '/api/export?format=svg&runs=stored-1'])('%s: 401 without the token, 200 with it', async (path) => {
    const base = `http://127.0.0.1:${server.port}`;
    expect((await get(base + path)).status).toBe(401);
    expect((await get(base + path + (path.includes('?') ? '&' : '?') + 'token=wrong-token-000000')).status).toBe(401);
    const ok = await get(base + path + (path.includes('?') ? '&' : '?') + `token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect((await get(base + path, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    if (path.startsWith('/api/export')) {
      expect(ok.type).toBe('image/svg+xml');
      expect(ok.body.toString()).toContain('Gradient Element Histogram');
    }
  });

  test('the websocket refuses a missing or wrong token', async () => {
    const ws = `ws://127.0.0.1:${server.port}/ws`;
    expect(await wsStatus(ws)).toBe(401);
    expect(await wsStatus(`${ws}?token=nope-nope-nope`)).toBe(401);
    expect(await wsStatus(`${ws}?token=${TOKEN}`)).toBe('open');
  });

  test('a viewer gets the run list, its panels, and new records pushed as they arrive', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    const messages: any[] = [];
    const next = (pred: (m: any) => boolean) =>
      new Promise<any>((resolve) => {
        const found = messages.find(pred);
        if (found) return resolve(found);
        const on = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data));
          if (pred(m)) {
            ws.off('message', on);
            resolve(m);
          }
        };
        ws.on('message', on);
      });
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    const first = await next((m) => m.type === 'runs');
    // Stored runs are listed before anyone opens them; stored-1 was read by the export test above.
    expect(first.runs.find((r: any) => r.runId === 'never-opened')).toEqual({ runId: 'never-opened', state: 'stored', records: 0 });
    expect(first.runs.find((r: any) => r.runId === 'stored-1')).toMatchObject({ state: 'completed', lastStep: 5 });

    const live = await startRun('live-1', fanout);
    await streamSteps(live, 0, 4);
    await next((m) => m.type === 'runs' && m.runs.some((r: any) => r.runId === 'live-1' && r.lastStep === 3));
    ws.send(JSON.stringify({ type: 'select', runs: ['live-1'], stepBack: 0 }));
    const panels = await next((m) => m.type === 'panels' && m.histogram?.step === 3);
    expect(panels.panels.gradNorm.data.values).toHaveLength(4);
    expect(panels.histogram).toEqual({ step: 3, index: 3, count: 4 });

    messages.length = 0;
    await streamSteps(live, 4, 6);
    const pushed = await next((m) => m.type === 'panels' && m.histogram?.step === 5);
    expect(pushed.panels.gradNorm.data.values.map((r: any) => r.step)).toEqual([0, 1, 2, 3, 4, 5]);

    ws.send(JSON.stringify({ type: 'select', runs: ['live-1', 'stored-1'], stepBack: 2 }));
    const both = await next((m) => m.type === 'panels' && m.selection.runs.length === 2);
    expect(new Set(both.panels.gradNorm.data.values.map((r: any) => r.run))).toEqual(new Set(['live-1', 'stored-1']));
    expect(both.histogram).toEqual({ step: 3, index: 3, count: 6 });

    await finishRun(live, 5);
    await next((m) => m.type === 'runs' && m.runs.find((r: any) => r.runId === 'live-1')?.state === 'completed');
    ws.send('not json');
    expect((await next((m) => m.type === 'error')).message).toMatch(/JSON/);
    ws.close();
  });
});
