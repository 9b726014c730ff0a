import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const PYTHON_DIR = join(__dirname, '..', '..', 'python');

/** Runs a Python script to completion; resolves with its stdout, rejects with its output on failure. */
export function runPython(args: string[], timeoutMs = 100_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: PYTHON_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${PYTHON} ${args.join(' ')} exited with ${code ?? signal}:\n${out}\n${err}`));
    });
  });
}
