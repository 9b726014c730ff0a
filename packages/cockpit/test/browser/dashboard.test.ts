// The dashboard in headless Chromium against a running server fed by a test stream: runs listed, panels drawn,
// new records drawn without a reload, histogram time, comparison, the token enforced. A screenshot is kept in
// test-artifacts/cockpit/dashboard.png.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { FanOut, MemorySink, fromArray } from '@flightdeck/core';
import { plotToFile } from '../../src/cli/plot.js';
import { createDashboardServer, type DashboardServer } from '../../src/views/index.js';
import { finishRun, startRun, streamSteps } from '../views/stream-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(__dirname, '../../../../test-artifacts/cockpit');
const TOKEN = 'browser-test-token-42';

if (!existsSync(CHROMIUM)) {
  test.skip(`dashboard browser test SKIPPED: ${CHROMIUM} is absent (install Debian's chromium; CI does)`, () => undefined);
} else {
  describe('dashboard in Chromium', () => {
    let server: DashboardServer;
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    const fanout = new FanOut();
    const stored = new MemorySink();
    const pageErrors: string[] = [];

    /** Symbols drawn in a panel's plot (points of its scatter layers, not legend symbols). */
    const symbols = (id: string) => page.locator(`[data-panel="${id}"] .mark-symbol.role-mark path`).count();

    beforeAll(async () => {
      const old = await startRun('stored-run', stored);
      await streamSteps(old, 0, 8);
      await finishRun(old, 7);
      server = await createDashboardServer({ source: fanout, token: TOKEN, listRuns: () => ['stored-run'], readRun: () => fromArray(stored.envelopes), log: () => undefined });
      profile = mkdtempSync(join(tmpdir(), 'cockpit-chromium-'));
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 2500, height: 1400 } });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (e) => pageErrors.push(e.message));
    });
    afterAll(async () => {
      await context?.close();
      await server?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    test('without the token: 401 for the page and its data, and no websocket', async () => {
      const base = `http://127.0.0.1:${server.port}`;
      const res = await page.goto(`${base}/`);
      expect(res?.status()).toBe(401);
      expect((await page.request.get(`${base}/api/runs`)).status()).toBe(401);
      const opened = await page.evaluate(
        (url) => new Promise((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
        `ws://127.0.0.1:${server.port}/ws`,
      );
      expect(opened).toBe('refused');
    });

    test('with the token: runs listed, panels drawn, new records drawn without a reload', async () => {
      const live = await startRun('live-run', fanout);
      await streamSteps(live, 0, 10);
      await page.goto(server.url);
      await page.waitForSelector('body[data-connected="true"]');
      await page.waitForSelector('[data-run="live-run"] .state.active');
      await page.waitForSelector('[data-run="stored-run"] .state');
      // The active run is selected by default and every instrument it has is drawn.
      for (const id of ['alpha', 'distance', 'gradNorm', 'gradientTests', 'hist1d', 'hist2d', 'maxEv', 'trace', 'tic', 'hyperparameters', 'performance', 'learningCurves'])
        await page.waitForSelector(`[data-panel="${id}"] svg`);
      expect(await page.locator('[data-panel="meanGsnr"].empty').count()).toBe(1);
      await expect(symbols('gradNorm')).resolves.toBe(20); // 10 points + 10 EMA points
      await page.waitForFunction(() => document.getElementById('histstep')?.textContent?.startsWith('step 9'));

      const reloads = await page.evaluate(() => performance.getEntriesByType('navigation').length);
      await streamSteps(live, 10, 15);
      await page.waitForFunction(() => document.querySelectorAll('[data-panel="gradNorm"] .mark-symbol.role-mark path').length === 30);
      await page.waitForSelector('[data-run="live-run"] .meta:has-text("step 14")');
      await page.waitForFunction(() => document.getElementById('histstep')?.textContent?.startsWith('step 14'));
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(reloads);
    });

    test('histograms step back through time', async () => {
      await page.click('#back');
      await page.waitForFunction(() => document.getElementById('histstep')?.textContent?.startsWith('step 13 (14 of 15)'));
      await page.waitForSelector('[data-panel="hist1d"] text:has-text("step 13")');
      await page.click('#latest');
      await page.waitForFunction(() => document.getElementById('histstep')?.textContent?.startsWith('step 14'));
    });

    test('a stored run is read on selection and compared with the live one', async () => {
      await page.click('[data-run="stored-run"] input');
      await page.waitForFunction(() => document.querySelectorAll('[data-panel="gradNorm"] .mark-symbol.role-mark path').length === 2 * (15 + 8));
      await page.waitForSelector('[data-panel="gradNorm"] text:has-text("stored-run")');
      await page.waitForSelector('[data-run="stored-run"] .state.completed');
    });

    test('the run finishing shows in the list; the view exports as PNG and SVG; screenshot kept', async () => {
      const live = await startRun('second-live', fanout);
      await streamSteps(live, 0, 3);
      await page.waitForSelector('[data-run="second-live"] .state.active');
      await finishRun(live, 2);
      await page.waitForSelector('[data-run="second-live"] .state.completed');
      const png = await page.request.get((await page.getAttribute('#png', 'href'))!.replace(/^\//, `http://127.0.0.1:${server.port}/`));
      expect(png.status()).toBe(200);
      expect(png.headers()['content-type']).toBe('image/png');
      expect((await png.body()).subarray(1, 4).toString()).toBe('PNG');
      const svg = await page.request.get(`http://127.0.0.1:${server.port}${await page.getAttribute('#svg', 'href')}`);
      expect(svg.headers()['content-type']).toBe('image/svg+xml');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    });

    test('the static HTML figure of `cockpit plot` draws offline, without errors', async () => {
      const html = join(profile, 'figure.html');
      await plotToFile(join(__dirname, '../fixtures/logs/mlp.cockpit_log.json'), html);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${html}`);
      await page.waitForSelector('#figures svg text:has-text("Gradient Element Histogram")');
      expect(await page.locator('#figures button').allTextContents()).toEqual(['Save PNG', 'Save SVG']);
      expect(errors).toEqual([]);
    });
  });
}
