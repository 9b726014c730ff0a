// A real one-node Slurm cluster for tests, all in a temp folder: its own munged (a fresh key, a private socket, so
// neither /etc/munge nor a system munged matter), a minimal slurm.conf, slurmctld and slurmd in the foreground on
// free loopback ports; ready once the node is idle. `stop` cancels the cluster's jobs and ends every process it
// started. Clients reach it through `env` (SLURM_CONF).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

const CLIENTS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo'];
const DAEMONS = ['slurmctld', 'slurmd'];
const MUNGE = ['munge', 'unmunge', 'munged'];
const SEARCH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];

function which(name: string): string | undefined {
  for (const dir of SEARCH) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function mungeAnswers(socket: string): boolean {
  const cred = spawnSync(which('munge')!, ['--socket', socket, '-n'], { encoding: 'utf8' });
  return cred.status === 0 && spawnSync(which('unmunge')!, ['--socket', socket], { input: cred.stdout }).status === 0;
}

/** Why a one-node cluster cannot start here (what is missing), or undefined when it can. */
export function slurmMissing(): string | undefined {
  const absent = [...CLIENTS, ...DAEMONS, ...MUNGE].filter((b) => !which(b));
  if (absent.length) return `missing programs: ${absent.join(', ')} (Debian: apt-get install slurm-wlm munge)`;
  // slurmd starts each job as the user who submitted it, which only root may do.
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()}): the test runs slurmd, which must be root to start jobs`;
  return undefined;
}

export interface SlurmCluster {
  /** The environment for Slurm clients (sbatch, squeue, …) of this cluster. */
  env: NodeJS.ProcessEnv;
  dir: string;
  node: string;
  partition: string;
  cpus: number;
  /** Cancels all jobs, stops the daemons (and munged if started here), removes the folder. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** munged in the foreground with a fresh key and its socket in `dir` (--force: a temp folder is not /run/munge). */
async function startMunged(dir: string): Promise<ChildProcess> {
  const key = join(dir, 'munge.key');
  writeFileSync(key, randomBytes(128), { mode: 0o400 });
  const socket = join(dir, 'munge.socket');
  const files = ['--key-file', key, '--socket', socket, '--pid-file', join(dir, 'munged.pid'), '--log-file', join(dir, 'munged.log'), '--seed-file', join(dir, 'munged.seed')];
  const munged = spawn(which('munged')!, ['--foreground', '--force', ...files], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !mungeAnswers(socket); i++) await sleep(50);
  if (!mungeAnswers(socket)) {
    munged.kill('SIGKILL');
    const log = join(dir, 'munged.log');
    throw new Error(`munged did not answer on ${socket}${existsSync(log) ? `; its log: ${readFileSync(log, 'utf8').slice(-500)}` : ''}`);
  }
  return munged;
}

/**
 * The CPUs slurmd itself detects (`slurmd -C`): a node configured with more than that is drained, and in a
 * container os.cpus() can count the host's CPUs rather than those the container may use.
 */
function detectedCpus(): number {
  const m = /\bCPUs=(\d+)/.exec(spawnSync(which('slurmd')!, ['-C'], { encoding: 'utf8' }).stdout ?? '');
  return m ? Number(m[1]) : 1;
}

function slurmConf(dir: string, node: string, ports: [number, number], ncpus: number): string {
  const user = userInfo().username;
  return [
    'ClusterName=fdtest',
    // Loopback addresses: the test must not depend on the host name resolving (containers, CI).
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ports[0]}`,
    `SlurmdPort=${ports[1]}`,
    'AuthType=auth/munge',
    `AuthInfo=socket=${dir}/munge/munge.socket`,
    `SlurmUser=${user}`,
    `SlurmdUser=${user}`,
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    'MpiDefault=none',
    'JobAcctGatherType=jobacct_gather/none',
    // No accounting, as on many small clusters: the executor must follow jobs with squeue and its status files.
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${ncpus} State=UNKNOWN`,
    `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}

function waitExit(p: ChildProcess, ms: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      resolve();
    }, ms);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCluster(): Promise<SlurmCluster> {
  const missing = slurmMissing();
  if (missing) throw new Error(`cannot start Slurm: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'slurm-'));
  for (const d of ['state', 'spool', 'log', 'munge']) mkdirSync(join(dir, d));
  const node = hostname().split('.')[0];
  const ncpus = detectedCpus();
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, slurmConf(dir, node, [await freePort(), await freePort()], ncpus));
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [await startMunged(join(dir, 'munge'))];
  const stop = async () => {
    spawnSync(which('scancel')!, ['--full', '--user', userInfo().username], { env });
    for (let i = 0; i < 50; i++) {
      const q = spawnSync(which('squeue')!, ['-h', '-o', '%i'], { env, encoding: 'utf8' });
      if (q.status !== 0 || q.stdout.trim() === '') break;
      await sleep(200);
    }
    for (const d of daemons.reverse()) {
      d.kill('SIGTERM');
      await waitExit(d, 5000);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // -D: foreground, so the test owns the processes; -i: ignore state left by an earlier cluster.
    for (const [name, args] of [['slurmctld', ['-D', '-i', '-f', conf]], ['slurmd', ['-D', '-f', conf]]] as const) {
      const p = spawn(which(name)!, [...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
      p.once('exit', (code) => {
        if (code) process.stderr.write(`${name} exited with ${code}: ${err}\n`);
      });
      daemons.push(p);
    }
    for (let i = 0; ; i++) {
      const s = spawnSync(which('sinfo')!, ['-h', '-N', '-o', '%T'], { env, encoding: 'utf8' });
      if (s.status === 0 && s.stdout.trim() === 'idle') break;
      if (i === 150 || daemons.some((d) => d.exitCode !== null)) {
        const logs = ['slurmctld.log', 'slurmd.log'].map((f) => join(dir, 'log', f)).filter(existsSync);
        throw new Error(`the one-node Slurm cluster did not become idle (sinfo: ${s.stdout.trim() || s.stderr.trim()}); logs: ${logs.map((f) => readFileSync(f, 'utf8').split('\n').slice(-5).join('\n')).join('\n')}`);
      }
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { env, dir, node, partition: 'debug', cpus: ncpus, stop };
}
