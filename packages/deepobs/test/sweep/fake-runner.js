// A stand-in for `deepobs run` with the same command line, training a 2-D problem in plain JavaScript (gradient
// descent on f(x, y) = x² + 10 y² from a seeded start), so sweep tests need neither tfjs nor the real runner.
// Problem "crash" always fails; problem "flaky" fails on its first attempt (a marker file remembers it).
const fs = require('node:fs');
const path = require('node:path');

const [cmd, problem, ...rest] = process.argv.slice(2);
const opts = {};
for (let i = 0; i < rest.length; i += 2) opts[rest[i].replace(/^--/, '')] = rest[i + 1];
if (cmd !== 'run') throw new Error(`fake runner: unknown command ${cmd}`);
const out = opts.output_dir;
if (problem === 'crash') {
  console.error('boom: the model exploded');
  process.exit(3);
}
if (problem === 'flaky') {
  const marker = path.join(out, `.flaky-${opts.lr}-${opts.random_seed}`);
  if (!fs.existsSync(marker)) {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(marker, '');
    console.error('transient failure');
    process.exit(1);
  }
}
const lr = Number(opts.lr);
const seed = Number(opts.random_seed);
const epochs = Number(opts.num_epochs ?? 3);
let x = 1 + 0.01 * seed;
let y = 1 - 0.01 * seed;
const f = () => x * x + 10 * y * y;
const curves = { train_losses: [f()], valid_losses: [f() * 1.01], test_losses: [f() * 1.02] };
const minibatch = [];
for (let e = 0; e < epochs; e++) {
  for (let s = 0; s < 10; s++) {
    minibatch.push(f());
    x -= lr * 2 * x;
    y -= lr * 20 * y;
  }
  curves.train_losses.push(f());
  curves.valid_losses.push(f() * 1.01);
  curves.test_losses.push(f() * 1.02);
}
const folder = { SGD: 'GradientDescentOptimizer', Momentum: 'MomentumOptimizer' }[opts.optimizer] ?? opts.optimizer;
const result = {
  testproblem: problem,
  batch_size: Number(opts.batch_size ?? 8),
  num_epochs: epochs,
  random_seed: seed,
  weight_decay: null,
  optimizer_name: folder,
  optimizer_hyperparams: { lr },
  training_params: {},
  ...curves,
  minibatch_train_losses: minibatch,
};
const dir = path.join(out, problem, folder, `num_epochs__${epochs}__batch_size__${result.batch_size}__lr__${lr}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, `random_seed__${seed}__2026-01-01-00-00-00.json`), JSON.stringify(result, null, 4));
console.log(`trained ${problem} with lr ${lr}, final loss ${f()}`);
