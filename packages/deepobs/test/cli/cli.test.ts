// The deepobs command in process: `run` (with our and DeepOBS's flag names), the listings, and clear errors.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeDeepobsFlags } from '../../src/cli/args.js';
import { createProgram } from '../../src/cli/program.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deepobs-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function deepobs(...args: string[]): Promise<{ out: string; err: string; error?: Error }> {
  let out = '';
  let err = '';
  const program = createProgram({ out: (t) => void (out += t), err: (t) => void (err += t), interactive: false });
  program.exitOverride();
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(normalizeDeepobsFlags(['node', 'deepobs', ...args]));
    return { out, err };
  } catch (e) {
    return { out, err, error: e as Error };
  }
}

test('run: DeepOBS flag names, backend line, progress lines, the result path', async () => {
  const r = await deepobs('run', 'quadratic_deep', '--optimizer', 'Momentum', '--lr', '0.01', '--momentum', '0.5', '--num_epochs', '2', '--bs', '100', '-r', '3', '--output_dir', dir, '--backend', 'cpu');
  expect(r.error).toBeUndefined();
  expect(r.err).toMatch(/^tfjs backend: cpu/);
  expect(r.err).toMatch(/epoch 2\/2 step 10\/10 loss \S+ ETA/);
  expect(r.err).toMatch(/evaluation after epoch 2: loss train \S+ valid \S+ test \S+/);
  const path = /finished: (.+)\n/.exec(r.out)![1];
  expect(path.startsWith(join(dir, 'quadratic_deep', 'MomentumOptimizer', 'num_epochs__2__batch_size__100__lr__1.e-02__momentum__5.e-01'))).toBe(true);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  expect(json).toMatchObject({ random_seed: 3, optimizer_hyperparams: { lr: 0.01, momentum: 0.5 } });
});

test('run with a schedule and synthetic data', async () => {
  const r = await deepobs('run', 'mnist_logreg', '--optimizer', 'SGD', '--lr', '0.1', '--epochs', '2', '--batch-size', '16', '--synthetic', '--lr-sched-epochs', '1', '--lr-sched-factors', '0.5', '--output-dir', dir, '--backend', 'cpu');
  expect(r.error).toBeUndefined();
  expect(r.err).toMatch(/data: synthetic/);
  const json = JSON.parse(readFileSync(/finished: (.+)\n/.exec(r.out)![1], 'utf8'));
  expect(json.training_params).toEqual({ lr_sched_epochs: [1], lr_sched_factors: [0.5] });
});

test('--train-order fixed repeats one order every epoch (TF DeepOBS), reshuffle draws a new one', async () => {
  const losses = async (order: string) => {
    const r = await deepobs('run', 'quadratic_deep', '--optimizer', 'SGD', '--lr', '0', '--epochs', '2', '--train-log-interval', '1', '--train-order', order, '--output-dir', join(dir, order), '--backend', 'cpu');
    expect(r.error).toBeUndefined();
    const minibatch: number[] = JSON.parse(readFileSync(/finished: (.+)\n/.exec(r.out)![1], 'utf8')).minibatch_train_losses;
    expect(minibatch).toHaveLength(14);
    return [minibatch.slice(0, 7), minibatch.slice(7)];
  };
  const [fixed1, fixed2] = await losses('fixed');
  expect(fixed2).toEqual(fixed1);
  const [new1, new2] = await losses('reshuffle');
  expect(new2).not.toEqual(new1);
});

test.each([
  [['run', 'quadratic_deep', '--optimizer', 'SGD', '--train-order', 'sorted'], /Allowed choices are reshuffle, fixed/],
  [['run', 'mnist_logreg', '--optimizer', 'SGD', '--synthetic', '--train-order', 'fixed', '--backend', 'cpu'], /train order "fixed" is offered by the quadratic and 2-D data sets only/],
  [['run', 'quadratic_deep', '--optimizer', 'SGD', '--epochs', '0'], /--epochs must be at least 1, got 0/],
  [['run', 'quadratic_deep', '--optimizer', 'SGD', '--lr', 'fast'], /--lr must be a number, got "fast"/],
  [['run', 'quadratic_deep', '--optimizer', 'SGD', '--momentum', '0.9'], /SGD has no hyperparameter --momentum; it takes --lr/],
  [['run', 'quadratic_deep', '--optimizer', 'Adamax'], /Adamax/],
  [['run', 'mnist_resnet', '--optimizer', 'SGD'], /unknown test problem "mnist_resnet"/],
  [['run', 'quadratic_deep'], /required option '--optimizer <name>' not specified/],
  [['run', 'quadratic_deep', '--optimizer', 'SGD', '--backend', 'gpu'], /argument 'gpu' is invalid. Allowed choices are auto, node-gpu, node, wasm, cpu/],
  [['run', 'quadratic_deep', '--optimizer', 'SGD', '--cockpit', 'first'], /Allowed choices are economy, business, full/],
  [['run', 'svhn_3c3d', '--optimizer', 'SGD', '--data-dir', '/nonexistent', '--backend', 'cpu'], /deepobs data download svhn/],
])('bad input %j is a clear error', async (args, message) => {
  const r = await deepobs(...args);
  expect(r.error).toBeDefined();
  expect(`${r.err}${r.error!.message}`).toMatch(message);
  expect(existsSync(join(dir, 'svhn_3c3d'))).toBe(false);
});

test('problems and optimizers list what exists', async () => {
  const problems = await deepobs('problems');
  expect(problems.out.trim().split('\n')).toHaveLength(21);
  expect(problems.out).toMatch(/^cifar100_allcnnc +cifar100 +256 +350 +0.0005 +1,387,108 +accuracy/m);
  const optimizers = await deepobs('optimizers');
  expect(optimizers.out.trim().split('\n')).toHaveLength(16);
  expect(optimizers.out).toMatch(/^Momentum +MomentumOptimizer +--lr \(0.01\) --momentum \(0.99\)/m);
});
