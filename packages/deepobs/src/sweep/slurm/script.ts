// The sbatch script of one job array: one array task per run, the commands written into the script itself so that
// it works unchanged when copied to a cluster (it needs only the runner and the folders it names).
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { shellQuote } from '../spec.js';

/** What goes into the #SBATCH lines. */
export interface SbatchOptions {
  jobName?: string;
  partition?: string;
  /** Wall-clock limit per array task, in any form sbatch takes: "30", "1:30:00", "2-00:00:00". */
  time?: string;
  cpusPerTask?: number;
  /** Generic resources per task, e.g. "gpu:1" or "gpu:a100:2". */
  gres?: string;
  /** Array tasks running at once (sbatch's `%K`); unlimited when absent. */
  arrayLimit?: number;
  /** Further sbatch options, one per #SBATCH line, e.g. ["--account=proj42", "--qos=short"]. */
  extra?: string[];
}

export interface SlurmTask {
  /** File-name-safe identity of the run (its status and log files), from `taskId(runKey)`. */
  id: string;
  /** The runner's arguments for this run (after the runner command itself). */
  args: string[];
}

export interface SlurmScriptOptions {
  /** The command that starts the DeepOBS runner, absolute paths (see `currentRunner`). */
  runner: string[];
  /** Folder of the per-run logs and status files; absolute, on a filesystem the compute nodes share. */
  stateDir: string;
  sbatch: SbatchOptions;
}

/** A stable, file-name-safe id of a run key (its log is logs/<id>.log, its status tasks/<id>.exit). */
export function taskId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export class SlurmOptionError extends Error {
  constructor(option: string, detail: string) {
    super(`--${option}: ${detail}`);
    this.name = 'SlurmOptionError';
  }
}

// sbatch's --time forms: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes,
// days-hours:minutes:seconds (and "UNLIMITED"/"INFINITE").
const TIME = /^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|UNLIMITED|INFINITE)$/;
// --gres: comma-separated name[:type][:count] entries.
const GRES = /^[A-Za-z][\w.-]*(:[\w.-]+)?(:\d+)?(,[A-Za-z][\w.-]*(:[\w.-]+)?(:\d+)?)*$/;

export function checkSbatchOptions(o: SbatchOptions): void {
  const word = (name: string, v: string | undefined) => {
    if (v !== undefined && !/^[\w.,@+-]+$/.test(v)) throw new SlurmOptionError(name, `"${v}" is not a Slurm name (letters, digits, . , @ + - _)`);
  };
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new SlurmOptionError(name, `must be a positive integer, got ${v}`);
  };
  word('job-name', o.jobName);
  word('partition', o.partition);
  if (o.time !== undefined && !TIME.test(o.time)) throw new SlurmOptionError('time', `"${o.time}" is not a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS)`);
  if (o.gres !== undefined && !GRES.test(o.gres)) throw new SlurmOptionError('gres', `"${o.gres}" is not a generic resource list (e.g. gpu:1 or gpu:a100:2)`);
  positive('cpus-per-task', o.cpusPerTask);
  positive('array-limit', o.arrayLimit);
  for (const e of o.extra ?? []) if (!/^--?[A-Za-z]/.test(e) || /[\n\r]/.test(e)) throw new SlurmOptionError('sbatch', `"${e}" is not one sbatch option`);
}

/** The job array script for `tasks` (array index i runs tasks[i]). */
export function slurmScript(tasks: SlurmTask[], o: SlurmScriptOptions): string {
  if (tasks.length === 0) throw new Error('a job array needs at least one run');
  if (!isAbsolute(o.stateDir)) throw new Error(`the Slurm state folder must be an absolute path, got ${o.stateDir}`);
  checkSbatchOptions(o.sbatch);
  const s = o.sbatch;
  const q = (p: string) => shellQuote([p]);
  const logs = `${o.stateDir}/logs`;
  const directives = [
    `--job-name=${s.jobName ?? 'deepobs-sweep'}`,
    `--array=0-${tasks.length - 1}${s.arrayLimit ? `%${s.arrayLimit}` : ''}`,
    // Slurm's own messages (a cancelled or timed-out task); the run's output goes to logs/<run id>.log.
    `--output=${logs}/slurm-%A_%a.out`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.cpusPerTask ? [`--cpus-per-task=${s.cpusPerTask}`] : []),
    ...(s.gres ? [`--gres=${s.gres}`] : []),
    ...(s.extra ?? []),
  ];
  const cases = tasks.map((t, i) => `  ${i}) RUN=${t.id}; ARGS=(${shellQuote(t.args)}) ;;`);
  return `#!/bin/bash
# A DeepOBS sweep as one Slurm job array: ${tasks.length} run${tasks.length === 1 ? '' : 's'}, one per array task.
# Written by \`deepobs sweep --executor slurm\`, which submits it, follows it with squeue and the status files in
# STATE/tasks, retries failed runs in a new array and skips finished runs when run again. Submitted by hand
# (\`sbatch <this file>\`), it runs every run listed below whose status file does not say it finished.
# Slurm does not create the folder of --output: create it first (mkdir -p ${q(logs)}).
${directives.map((d) => `#SBATCH ${d}`).join('\n')}
set -uo pipefail
: "\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}"

# The runner by absolute path: a batch job's shell does not read the login profile that puts node (nvm, module
# load) or npx on PATH, and PATH on a compute node may differ from the submit host's. These are the node binary
# and the deepobs entry point of the sweep's submitter (realpath: no npx shim or symlinked .bin); on a cluster
# they must lie on a filesystem the compute nodes mount. Edit this line to use another installation.
RUNNER=(${shellQuote(o.runner)})
# Per-run logs (every attempt appended) and status files (<run>.start, <run>.exit with the runner's exit code).
STATE=${q(o.stateDir)}

case "$SLURM_ARRAY_TASK_ID" in
${cases.join('\n')}
  *) echo "array task $SLURM_ARRAY_TASK_ID: no run with this index in this script" >&2; exit 2 ;;
esac

mkdir -p "$STATE/logs" "$STATE/tasks"
if [ "$(cat "$STATE/tasks/$RUN.exit" 2>/dev/null)" = 0 ]; then
  echo "run $RUN finished before (STATE/tasks/$RUN.exit is 0); not run again"
  exit 0
fi
log="$STATE/logs/$RUN.log"
where="job \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} on $(hostname)"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $where: \${RUNNER[*]} \${ARGS[*]}" >> "$log"
echo "$where" > "$STATE/tasks/$RUN.start"
"\${RUNNER[@]}" "\${ARGS[@]}" >> "$log" 2>&1
rc=$?
# Written to a temporary name and renamed, so a reader never sees an empty exit file.
echo "$rc" > "$STATE/tasks/$RUN.exit.$SLURM_JOB_ID" && mv -f "$STATE/tasks/$RUN.exit.$SLURM_JOB_ID" "$STATE/tasks/$RUN.exit"
exit "$rc"
`;
}
