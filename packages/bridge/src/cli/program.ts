import { Command } from 'commander';
import { exportCommand } from './export.js';
import { keysCommand } from './keys.js';
import { runsCommand } from './runs.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';

/** The `flightdeck` command. */
export function flightdeckProgram(): Command {
  const program = new Command('flightdeck')
    .description('Flightdeck: stream, store and watch training runs (PyTorch over ZeroMQ, tfjs in process)')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  serveCommand(program);
  trainCommand(program);
  runsCommand(program);
  exportCommand(program);
  keysCommand(program);
  return program;
}

/** Runs the command line; any error becomes one clear line on stderr and exit code 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await flightdeckProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
