import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const PACKAGE = join(__dirname, '..', '..');

/** `node` arguments that run the flightdeck command from the TypeScript sources (no build needed). */
export const FLIGHTDECK_ARGS = ['-r', join(PACKAGE, '..', '..', 'tools', 'ts-register.cjs'), join(PACKAGE, 'src', 'cli.ts')];
export { PACKAGE };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `flightdeck serve` as a child process (run from the TypeScript sources), resolved once it listens. */
export async function startServeProcess(args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...FLIGHTDECK_ARGS, 'serve', ...args], {
    cwd: PACKAGE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('ingest listening on')) resolve();
      else if (child.exitCode !== null) reject(new Error(`flightdeck serve exited with ${child.exitCode}: ${out}`));
      else if (Date.now() - started > 60_000) {
        child.kill('SIGKILL');
        reject(new Error(`flightdeck serve did not start within 60 s: ${out}`));
      } else setTimeout(check, 25);
    };
    check();
  });
  return { child, output: () => out };
}

/** Stops a child with `signal`; one that has not exited after 20 s is killed and reported. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 20_000)));
  const hung = await Promise.race([exited.then(() => false), late]);
  clearTimeout(timer);
  if (hung) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`process ${child.pid} did not exit within 20 s of ${signal}`);
  }
}
