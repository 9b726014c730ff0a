import type { Command } from 'commander';
import { resultFromEnvelopes, writeResultFile } from '@flightdeck/core';
import { DEFAULT_STORE, openExistingStore } from './runs.js';

export function exportCommand(program: Command): void {
  program
    .command('export <run>')
    .description('write a stored run as a DeepOBS result file')
    .requiredOption('--deepobs <dir>', 'output folder (DeepOBS layout: <dir>/<problem>/<optimizer>/<setting>/random_seed__<seed>__<time>.json)')
    .option('--store <dir>', 'run store folder', DEFAULT_STORE)
    .option('--format <version>', 'DeepOBS JSON format, 1.1 or 1.2 (default: the run\'s own, else 1.2)')
    .action(async (runId: string, opts: { deepobs: string; store: string; format?: string }) => {
      if (opts.format !== undefined && opts.format !== '1.1' && opts.format !== '1.2') throw new Error(`--format must be 1.1 or 1.2, got "${opts.format}"`);
      const store = await openExistingStore(opts.store);
      try {
        if (!store.run(runId)) throw new Error(`run ${runId} is not in the store ${opts.store} (see \`flightdeck runs --store ${opts.store}\`)`);
        const result = await resultFromEnvelopes(store.read(runId), opts.format as '1.1' | '1.2' | undefined);
        const path = await writeResultFile(opts.deepobs, result);
        process.stdout.write(`${path}\n`);
      } finally {
        await store.close();
      }
    });
}
