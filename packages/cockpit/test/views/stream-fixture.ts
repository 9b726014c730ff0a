// A training run as a live producer would stream it: every instrument of the grid, evaluations, then the end.
import { RunStatus, RunStream, type Quantity, type Sink } from '@flightdeck/core';

const NAMES = ['dense/kernel', 'dense/bias'];

function quantities(s: number): Quantity[] {
  const hist1d = { edges: Array.from({ length: 11 }, (_, i) => -1 + i / 5), counts: Array.from({ length: 10 }, (_, i) => 1 + ((i * (s + 3)) % 7)) };
  const hist2d = { xEdges: [-1, -0.5, 0, 0.5, 1], yEdges: [-2, 0, 2], counts: [s % 3, 1, 2, 3, 4, 5, 1, s + 1] };
  const qs: Quantity[] = [
    { name: 'Loss', scalar: 2 / (1 + s / 10) },
    { name: 'GradNorm', vector: { values: [1 / (1 + s), 0.5], labels: NAMES } },
    { name: 'Distance', vector: { values: [0.01 * s, 0.001 * s], labels: NAMES } },
    { name: 'NormTest', scalar: 1 + 0.1 * Math.sin(s) },
    { name: 'InnerTest', scalar: 0.5 + 0.1 * Math.cos(s) },
    { name: 'OrthoTest', scalar: 0.8 },
    { name: 'HessMaxEV', scalar: 10 ** (1 + s / 20) },
    { name: 'HessTrace', vector: { values: [3 + Math.sin(s), 1], labels: NAMES } },
    { name: 'TICDiag', scalar: 50 + s },
    { name: 'GradHist1d', histogram1d: hist1d },
    { name: 'GradHist2d', histogram2d: hist2d },
  ];
  if (s > 0) {
    qs.push({ name: 'Alpha', forStep: s - 1, scalar: Math.sin(s) });
    qs.push({ name: 'UpdateSize', forStep: s - 1, vector: { values: [0.01, 0.001], labels: NAMES } });
  }
  return qs;
}

/** Streams steps [from, to) of a run; an evaluation every 5 steps. */
export async function streamSteps(run: RunStream, from: number, to: number): Promise<void> {
  for (let s = from; s < to; s++) {
    if (s % 5 === 0) await run.evaluation({ epoch: s / 5, step: s, trainLoss: 2 - s / 40, validLoss: 2.1 - s / 40, testLoss: 2.2 - s / 40, trainAccuracy: 0.2 + s / 50, validAccuracy: 0.18 + s / 50, testAccuracy: 0.17 + s / 50, learningRate: 0.1 });
    await run.step({ step: s, epoch: Math.floor(s / 5), loss: 2 / (1 + s / 10), quantities: quantities(s) });
  }
}

export async function startRun(runId: string, sink: Sink): Promise<RunStream> {
  const run = new RunStream(runId, sink);
  await run.started({ testProblem: 'mnist_mlp', optimizer: 'SGD', parameterNames: NAMES });
  return run;
}

export async function finishRun(run: RunStream, lastStep: number): Promise<void> {
  await run.finished({ status: RunStatus.COMPLETED, lastStep, lastEpoch: Math.floor(lastStep / 5) });
}
