#!/usr/bin/env node
// The `cockpit` command.
import { Command, InvalidArgumentError } from 'commander';
import { plotToFile } from './plot.js';

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
  return n;
}
function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a positive number, got "${v}"`);
  return n;
}

export function cockpitProgram(): Command {
  const program = new Command('cockpit').description('Cockpit instruments for tfjs: figures from runs and logs');
  program
    .command('plot')
    .description('Draw the Cockpit figure of a run: a run-store folder or .fdlog file, or a Cockpit JSON log (ours or the original Python Cockpit\'s)')
    .argument('<source>', 'run-store folder, runs/<id>.fdlog, or <name>.json Cockpit log')
    .requiredOption('-o, --output <file>', 'figure file: .png, .svg or .html')
    .option('--run <runId>', 'run of a store folder that holds several')
    .option('--title <text>', 'figure title (default "Cockpit for <optimizer>")')
    .option('--step-back <n>', 'histograms: recorded steps back from the latest', nonNegativeInt, 0)
    .option('--max-points <n>', 'longest series drawn per panel (longer ones are thinned for drawing)', nonNegativeInt)
    .option('--scale <x>', 'PNG zoom factor', positive, 1.5)
    .action(async (source: string, opts: { output: string; run?: string; title?: string; stepBack: number; maxPoints?: number; scale: number }) => {
      const { runIds, format } = await plotToFile(source, opts.output, { runId: opts.run, title: opts.title, stepBack: opts.stepBack, maxPoints: opts.maxPoints, scale: opts.scale });
      console.log(`[cockpit] wrote ${format.toUpperCase()} of ${runIds.join(', ')} to ${opts.output}`);
    });
  return program;
}

if (require.main === module) {
  cockpitProgram()
    .parseAsync(process.argv)
    .catch((e: unknown) => {
      console.error(`cockpit: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    });
}
