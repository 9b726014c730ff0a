// One run through a sweep executor, for callers that need runs one at a time (the tuner).
import { ResultIndex } from './detect.js';
import type { SweepExecutor } from './executor.js';
import { runKey, type SweepRun } from './spec.js';

/** Runs `run` with `executor` (retries included) and resolves with its result file; rejects with the log tail. */
export function runOneWith(executor: SweepExecutor): (run: SweepRun) => Promise<string> {
  const index = new ResultIndex();
  return async (spec) => {
    let resultFile: string | undefined;
    let failure = '';
    await executor.execute([{ key: runKey(spec), spec }], {
      detect: (r) => index.refresh(r.spec),
      onStart: () => {},
      onFinish: (_r, outcome) => {
        if (outcome.status === 'done') resultFile = outcome.resultFile;
        else failure = `${outcome.error} after ${outcome.attempts} attempt(s)${outcome.logFile ? ` (log ${outcome.logFile})` : ''}:\n${outcome.logTail}`;
      },
    });
    if (!resultFile) throw new Error(`run ${runKey(spec)} failed: ${failure}`);
    return resultFile;
  };
}
