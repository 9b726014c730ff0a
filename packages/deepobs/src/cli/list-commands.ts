// `deepobs problems` and `deepobs optimizers`: what exists, with defaults.
import { Command } from 'commander';
import { listOptimizers } from '../optimizers/index.js';
import { TEST_PROBLEMS } from '../problems/index.js';
import type { CliIo } from './io.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

export function problemsCommand(io: CliIo): Command {
  return new Command('problems').description('list the test problems with their defaults').action(() => {
    const rows = [['problem', 'data', 'batch', 'epochs', 'L2', 'params', 'metric', 'description']];
    for (const p of TEST_PROBLEMS.values()) {
      rows.push([
        p.name,
        p.dataset,
        String(p.defaultBatchSize),
        String(p.defaultEpochs),
        p.defaultWeightDecay === null ? '-' : String(p.defaultWeightDecay),
        p.referenceParameterCount.toLocaleString('en-US'),
        p.hasAccuracy ? 'accuracy' : 'loss',
        p.doc,
      ]);
    }
    io.out(table(rows));
  });
}

export function optimizersCommand(io: CliIo): Command {
  return new Command('optimizers').description('list the optimizers with their hyperparameters and defaults').action(() => {
    const rows = [['optimizer', 'folder', 'hyperparameters (default)', 'description']];
    for (const o of listOptimizers()) {
      const hps = o.hyperparameters.map((h) => `--${h.name}${h.default === undefined ? ' (required)' : ` (${h.default})`}`).join(' ');
      rows.push([o.name, o.folderName, hps, o.doc]);
    }
    io.out(table(rows));
  });
}
