// Runs a sweep's runs one after another in this process with `runProblem`: no child processes, no `deepobs run`
// on the PATH (small sweeps, notebooks, tests). The tfjs backend must be selected before.
import type { Sink } from '@flightdeck/core';
import { runProblem } from '../runner/index.js';
import type { ExecutorHooks, PendingRun, SweepExecutor } from './executor.js';
import { runArgs, type SweepRun } from './spec.js';

const discard: Sink = { write: () => undefined, flush: async () => undefined, close: async () => undefined };

export class InProcessExecutor implements SweepExecutor {
  readonly name = 'in-process';

  constructor(private readonly options: { maxAttempts?: number; runOne?: (run: SweepRun) => Promise<unknown> } = {}) {}

  commandFor(run: SweepRun): string[] {
    return ['deepobs', ...runArgs(run)];
  }

  async execute(runs: PendingRun[], hooks: ExecutorHooks): Promise<void> {
    const attempts = Math.max(1, this.options.maxAttempts ?? 2);
    const runOne = this.options.runOne ?? ((run: SweepRun) => runProblem(run, discard));
    for (const run of runs) {
      let error = '';
      let stack = '';
      let resultFile: string | undefined;
      let attempt = 1;
      for (; attempt <= attempts && !resultFile; attempt++) {
        hooks.onStart(run, attempt);
        try {
          await runOne(run.spec);
          resultFile = await hooks.detect(run);
          if (!resultFile) error = 'the run finished but wrote no matching result file';
        } catch (e) {
          error = (e as Error).message;
          stack = (e as Error).stack ?? error;
        }
      }
      await hooks.onFinish(
        run,
        resultFile
          ? { status: 'done', resultFile, attempts: attempt - 1 }
          : { status: 'failed', attempts, error, logTail: stack.split('\n').slice(0, 20).join('\n') },
      );
    }
  }
}
