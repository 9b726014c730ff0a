// `deepobs sweep …` in process (the sweep sub-command), with what it writes to stdout and stderr.
import { sweepCommand } from '../../src/sweep/command.js';

export async function sweepCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  try {
    await sweepCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}
