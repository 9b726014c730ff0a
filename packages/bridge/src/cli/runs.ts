import type { Command } from 'commander';
import { RunStore, type RunEntry } from '@flightdeck/core';

export const DEFAULT_STORE = 'flightdeck-store';

/** Opens an existing store read-mostly; a missing folder is an error rather than a new empty store. */
export async function openExistingStore(dir: string): Promise<RunStore> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(dir)) throw new Error(`no run store at ${dir} (pass --store <dir>)`);
  return RunStore.open(dir, { fsync: 'never' });
}

function row(e: RunEntry): string[] {
  return [e.runId, e.testProblem || '-', e.optimizer || '-', e.status, String(e.records), e.lastStep === undefined ? '-' : String(e.lastStep), String(e.gaps)];
}

export function runsCommand(program: Command): void {
  program
    .command('runs')
    .description('list the runs in a run store')
    .option('--store <dir>', 'run store folder', DEFAULT_STORE)
    .option('--json', 'print the index entries as JSON')
    .action(async (opts: { store: string; json?: boolean }) => {
      const store = await openExistingStore(opts.store);
      try {
        const runs = store.runs();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
          return;
        }
        const rows = [['run', 'problem', 'optimizer', 'status', 'records', 'last step', 'gaps'], ...runs.map(row)];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
        if (runs.length === 0) process.stdout.write(`(no runs in ${opts.store})\n`);
      } finally {
        await store.close();
      }
    });
}
