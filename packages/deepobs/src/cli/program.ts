import { Command } from 'commander';
import { analyzeCommand, estimateRuntimeCommand } from '../analyzer/command.js';
import { dataCommand } from '../data/download/command.js';
import { sweepCommand } from '../sweep/command.js';
import { tuneCommand } from '../tuning/command.js';
import type { CliIo } from './io.js';
import { optimizersCommand, problemsCommand } from './list-commands.js';
import { runCommand } from './run-command.js';

/** The `deepobs` command with all its sub-commands. */
export function createProgram(io: CliIo): Command {
  const program = new Command('deepobs')
    .description('DeepOBS on tfjs: run test problems, get data, sweep, tune and analyze')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program.addCommand(runCommand(io));
  program.addCommand(problemsCommand(io));
  program.addCommand(optimizersCommand(io));
  program.addCommand(dataCommand());
  program.addCommand(sweepCommand());
  program.addCommand(tuneCommand());
  program.addCommand(analyzeCommand());
  program.addCommand(estimateRuntimeCommand());
  return program;
}
