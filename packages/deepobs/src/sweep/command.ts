// `deepobs sweep`: run (or print the commands of) every pending run of a sweep file.
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { LocalExecutor } from './executor.js';
import { emitCommands, runSweep } from './run-sweep.js';
import { readSweepFile } from './spec.js';
import { addSlurmOptions, printSlurmDryRun, slurmExecutorFor, type SlurmSweepFlags } from './slurm/cli.js';

export function sweepCommand(): Command {
  return addSlurmOptions(
    new Command('sweep')
      .description('run a sweep (problem × optimizer × setting × seed × schedule) on a local pool of processes or as Slurm job arrays; finished runs are skipped')
      .argument('<sweep.json>', 'sweep file')
      .option('--emit-commands', 'print one command per pending run (for an external scheduler) instead of running')
      .option('--workers <n>', 'processes at once (default: the number of cores)', Number)
      .option('--retries <n>', 'retries of a crashed run before it is recorded as failed', Number, 1)
      .option('--runner <command>', 'command that starts the DeepOBS runner (default: this deepobs)')
      .option('--status <file>', 'status file (default <sweep file folder>/sweep-status.json)')
      .option('--logs <dir>', 'one log per run (default <sweep file folder>/sweep-logs)')
      .addOption(new Option('--executor <name>', 'local: a pool of processes here; slurm: job arrays on a Slurm cluster (the [slurm] options)').choices(['local', 'slurm']).default('local')),
  )
    .action(async (file: string, o: { executor: 'local' | 'slurm'; emitCommands?: boolean; workers?: number; retries: number; runner?: string; status?: string; logs?: string } & SlurmSweepFlags) => {
      const runs = await readSweepFile(file);
      const executor = o.executor === 'slurm' ? slurmExecutorFor(file, o) : new LocalExecutor({
        runner: o.runner ? o.runner.split(' ').filter(Boolean) : [process.execPath, process.argv[1]],
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        maxAttempts: 1 + o.retries,
        logDir: o.logs ?? join(dirname(file), 'sweep-logs'),
      });
      if (o.dryRun) return printSlurmDryRun(runs, executor);
      if (o.emitCommands) {
        for (const line of await emitCommands(runs, executor)) process.stdout.write(`${line}\n`);
        return;
      }
      const summary = await runSweep(runs, { executor, statusFile: o.status ?? join(dirname(file), 'sweep-status.json') });
      process.stdout.write(`${summary.total} runs: ${summary.skipped} already finished, ${summary.done} done now, ${summary.failed.length} failed\n`);
      for (const f of summary.failed) process.stdout.write(`FAILED ${f.key}: ${f.error}\n${f.logTail.replace(/^/gm, '    ')}\n`);
      if (summary.failed.length > 0) process.exitCode = 1;
    });
}
