// Static figures without a browser: PNG, SVG and HTML for the original's logs, for a log we wrote and for a stored
// run. The files are kept under test-artifacts/cockpit/ to be looked at.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { RunStore, SCHEMA_VERSION, type Envelope } from '@flightdeck/core';
import { plotToFile } from '../../src/cli/plot.js';
import { cockpitFigureSpec, collectRuns, renderSvgs } from '../../src/views/index.js';
import { cockpitLogToEnvelopes, readCockpitLogFile, writeCockpitLogFile } from '../../src/log/index.js';

const LOGS = join(__dirname, '../fixtures/logs');
const ARTIFACTS = join(__dirname, '../../../../test-artifacts/cockpit');
mkdirSync(ARTIFACTS, { recursive: true });
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function expectFigure(svgPath: string, pngPath: string, titles: string[]): void {
  const svg = readFileSync(svgPath, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  for (const t of titles) expect(svg).toContain(`>${t}</text>`);
  const png = readFileSync(pngPath);
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  // The PNG is the SVG at the requested zoom.
  const { width } = new Resvg(svg).render();
  expect(png.readUInt32BE(16)).toBe(Math.round(width * 1.5));
}

const PRIMARY_TITLES = ['Alpha Distribution', 'Distance', 'Gradient Norm', 'Gradient Tests', 'Gradient Element Histogram', 'Max Eigenvalue', 'Trace', 'TIC', 'Performance Plot', 'STEP SIZE', 'GRADIENTS', 'CURVATURE'];

test.each(['mlp', 'cnn', 'sigmoid_mse'])("the original's log %s → PNG and SVG with every primary panel", async (problem) => {
  const source = join(LOGS, `${problem}.cockpit_log.json`);
  const warnings: string[] = [];
  for (const ext of ['svg', 'png']) await plotToFile(source, join(ARTIFACTS, `original-${problem}.${ext}`), { warn: (m) => warnings.push(m) });
  expectFigure(join(ARTIFACTS, `original-${problem}.svg`), join(ARTIFACTS, `original-${problem}.png`), PRIMARY_TITLES);
  expect(warnings).toEqual([]);
});

test("the original's extras log draws the secondary screen (auxiliary and layerwise)", async () => {
  const source = join(LOGS, 'mlp.extras.cockpit_log.json');
  for (const ext of ['svg', 'png']) await plotToFile(source, join(ARTIFACTS, `original-mlp-extras.${ext}`));
  expectFigure(join(ARTIFACTS, 'original-mlp-extras.svg'), join(ARTIFACTS, 'original-mlp-extras.png'), ['AUXILIARY', 'Mean GSNR', 'LAYERWISE', 'TIC']);
  expect(readFileSync(join(ARTIFACTS, 'original-mlp-extras.svg'), 'utf8')).toContain('Gradient/Parameter Element Histogram (parameter param_3)');
});

/** The golden run as our stream carries it, plus evaluations, so the summary row and learning curves have data. */
async function ourRun(runId: string): Promise<Envelope[]> {
  const envs = cockpitLogToEnvelopes(await readCockpitLogFile(join(LOGS, 'cnn.cockpit_log.json')), { runId, parameterNames: ['conv/kernel', 'conv/bias', 'dense/kernel', 'dense/bias'], started: { optimizer: 'SGD', testProblem: 'cnn' } });
  const evaluations: Envelope[] = [0, 2].map((step, epoch) => ({ schemaVersion: SCHEMA_VERSION, runId, seq: 0, timeUnixUs: 1, evaluation: { epoch, step, trainLoss: 1.2 - epoch * 0.1, validLoss: 1.25 - epoch * 0.1, testLoss: 1.3 - epoch * 0.1, trainAccuracy: 0.3 + epoch * 0.1, validAccuracy: 0.28 + epoch * 0.1, testAccuracy: 0.27 + epoch * 0.1, learningRate: 0.05 } }));
  const all = [envs[0], ...evaluations, ...envs.slice(1)];
  return all.map((e, seq) => ({ ...e, seq }));
}

test('a log we wrote → PNG, SVG and HTML, with the summary row and the learning curves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-plot-'));
  const log = join(dir, 'ours.json');
  await writeCockpitLogFile(log, await ourRun('ours'));
  for (const ext of ['svg', 'png', 'html']) await plotToFile(log, join(ARTIFACTS, `ours-cnn.${ext}`));
  expectFigure(join(ARTIFACTS, 'ours-cnn.svg'), join(ARTIFACTS, 'ours-cnn.png'), [...PRIMARY_TITLES, 'Hyperparameters', 'Loss per epoch', 'Accuracy per epoch']);
  const svg = readFileSync(join(ARTIFACTS, 'ours-cnn.svg'), 'utf8');
  expect(svg).toContain('Learning Rate: (5.0E-02)');
  expect(svg).toContain('Training accuracy: (40.00 %)');
  const html = readFileSync(join(ARTIFACTS, 'ours-cnn.html'), 'utf8');
  expect(html).toContain('vegaLite.compile');
  expect(html).not.toMatch(/<script[^>]+src=/);
});

test('panels keep their own colours: the learning-rate line beside a two-series alpha panel, no scale conflicts', async () => {
  const runId = 'colours';
  const env = (seq: number, body: Partial<Envelope>): Envelope => ({ schemaVersion: SCHEMA_VERSION, runId, seq, timeUnixUs: seq + 1, ...body });
  const steps = Array.from({ length: 40 }, (_, step) => env(step + 1, { step: { step, loss: 1 / (step + 1), quantities: [{ name: 'Alpha', scalar: Math.sin(step) }] } }));
  const evaluations = [0, 39].map((step, epoch) => env(41 + epoch, { evaluation: { epoch, step, trainLoss: 1, testLoss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, learningRate: 0.1 } }));
  const [{ svg, warnings }] = await renderSvgs([cockpitFigureSpec(collectRuns([env(0, { runStarted: { optimizer: 'SGD' } }), ...steps, ...evaluations]))]);
  expect(warnings).toEqual([]);
  expect(svg).toContain('Learning Rate: (1.0E-01)');
});

test('a stored run (run-store folder and its .fdlog) → PNG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-store-'));
  const store = await RunStore.open(dir, { fsync: 'never' });
  const results = await store.appendMany(await ourRun('stored-cnn'));
  expect(results.every((r) => r.status === 'appended')).toBe(true);
  await store.close();
  const { runIds } = await plotToFile(dir, join(ARTIFACTS, 'stored-cnn.png'));
  expect(runIds).toEqual(['stored-cnn']);
  await plotToFile(join(dir, 'runs', 'stored-cnn.fdlog'), join(ARTIFACTS, 'stored-cnn.svg'));
  expectFigure(join(ARTIFACTS, 'stored-cnn.svg'), join(ARTIFACTS, 'stored-cnn.png'), PRIMARY_TITLES);
});

test('bad arguments get clear errors', async () => {
  await expect(plotToFile(join(LOGS, 'mlp.cockpit_log.json'), '/tmp/x.jpg')).rejects.toThrow(/must be \.png, \.svg or \.html/);
  await expect(plotToFile('/nonexistent/run.json', '/tmp/x.png')).rejects.toThrow(/no such file or folder/);
});

test('the cockpit command: plot writes the file and says so; a bad extension is an error', async () => {
  const { cockpitProgram } = await import('../../src/cli/main.js');
  const out = join(ARTIFACTS, 'cli-sigmoid_mse.svg');
  const said: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((m: string) => void said.push(m));
  try {
    await cockpitProgram().parseAsync(['node', 'cockpit', 'plot', join(LOGS, 'sigmoid_mse.ggn_exact.cockpit_log.json'), '-o', out]);
  } finally {
    log.mockRestore();
  }
  expect(said).toEqual([`[cockpit] wrote SVG of sigmoid_mse.ggn_exact.cockpit_log to ${out}`]);
  expect(readFileSync(out, 'utf8')).toContain('>TIC</text>');
  await expect(cockpitProgram().exitOverride().parseAsync(['node', 'cockpit', 'plot', join(LOGS, 'mlp.cockpit_log.json'), '-o', '/tmp/x.gif'])).rejects.toThrow(/\.png, \.svg or \.html/);
});
