// The runner the Slurm tests' array tasks start: `run <problem> --optimizer … --output_dir …` (the sweep's run
// arguments) trained by the real runner on the CPU backend, image data synthetic (512 examples: a batch of 128 in every split) so that no data set
// has to be downloaded. Started as `node -r tools/ts-register.cjs run-entry.ts …` (TypeScript sources, no build).
import { MemorySink, selectBackend } from '@flightdeck/core';
import { runProblem, type RunSpec } from '../../src/runner/index.js';
import { parseAssignments } from '../../src/sweep/spec.js';

async function main(argv: string[]): Promise<void> {
  const [command, problem, ...rest] = argv;
  if (command !== 'run' || !problem) throw new Error(`usage: run <problem> --optimizer <name> [--<option> <value>]…, got ${argv.join(' ')}`);
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) flags.set(rest[i].replace(/^--/, ''), rest[i + 1]);
  const take = (k: string) => {
    const v = flags.get(k);
    flags.delete(k);
    return v;
  };
  const num = (k: string) => {
    const v = take(k);
    return v === undefined ? undefined : Number(v);
  };
  const spec: RunSpec = {
    problem,
    optimizer: take('optimizer') ?? 'SGD',
    seed: num('random_seed'),
    numEpochs: num('num_epochs'),
    batchSize: num('batch_size'),
    outputDir: take('output_dir'),
    data: { synthetic: true, syntheticSize: 512 },
  };
  // Whatever is left are the optimizer's hyperparameters, as in DeepOBS's command line.
  spec.hyperparameters = parseAssignments([...flags].map(([k, v]) => `${k}=${v}`));
  await selectBackend('cpu');
  const outcome = await runProblem(spec, new MemorySink(), {
    onEvaluation: (e) => console.log(`epoch ${e.epoch}: ${JSON.stringify(e.metrics)}`),
  });
  console.log(`${outcome.status}: ${outcome.resultPath}`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
