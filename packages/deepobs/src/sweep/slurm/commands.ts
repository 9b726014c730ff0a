// The Slurm client commands the executor uses: sbatch to submit, squeue to follow array tasks (it keeps ended tasks
// for MinJobAge, which is enough between polls and needs no accounting storage), scontrol for the array size limit.
import { execFile } from 'node:child_process';

export interface SlurmCommandError extends Error {
  command: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH (is this a Slurm submit host?)' : `failed: ${stderr.trim() || error.message}`;
      const e = new Error(`${command} ${why}`) as SlurmCommandError;
      e.command = command;
      e.stderr = stderr;
      reject(e);
    });
  });
}

/** Submits a script; resolves to the job id. */
export async function sbatch(scriptFile: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const out = (await run('sbatch', ['--parsable', scriptFile], env)).trim();
  // --parsable prints "<job id>" or "<job id>;<cluster>".
  const id = out.split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch ${scriptFile}: unexpected answer "${out}"`);
  return id;
}

/**
 * The state of each array task of a job that squeue still knows (pending, running, and ended ones for MinJobAge),
 * by array index; `undefined` when the controller no longer knows the job.
 */
export async function arrayTaskStates(jobId: string, env?: NodeJS.ProcessEnv): Promise<Map<number, string> | undefined> {
  let out: string;
  try {
    out = await run('squeue', ['--noheader', '--array', '--states=all', `--jobs=${jobId}`, '--format=%K|%T'], env);
  } catch (e) {
    if (/Invalid job id/i.test((e as SlurmCommandError).stderr ?? '')) return undefined;
    throw e;
  }
  const states = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^(\d+)\|([A-Z_]+)$/.exec(line.trim());
    if (m) states.set(Number(m[1]), m[2]);
  }
  return states;
}

/** Of the given jobs, those with array tasks still pending or running. */
export async function queuedJobs(jobIds: string[], env?: NodeJS.ProcessEnv): Promise<string[]> {
  if (jobIds.length === 0) return [];
  let out: string;
  try {
    out = await run('squeue', ['--noheader', `--jobs=${jobIds.join(',')}`, '--format=%F'], env);
  } catch (e) {
    if (/Invalid job id/i.test((e as SlurmCommandError).stderr ?? '')) return [];
    throw e;
  }
  return [...new Set(out.split('\n').map((l) => l.trim()).filter((l) => /^\d+$/.test(l)))];
}

/** The cluster's MaxArraySize (array indices must stay below it), or undefined when scontrol cannot tell. */
export async function maxArraySize(env?: NodeJS.ProcessEnv): Promise<number | undefined> {
  try {
    const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(await run('scontrol', ['show', 'config'], env));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
