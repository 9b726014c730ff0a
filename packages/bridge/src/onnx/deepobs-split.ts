import type { DataOptions, DataSetName } from '@flightdeck/deepobs';
import type { TestSplit } from './evaluate.js';
import type { TestSplitProvider } from './evaluator.js';

/**
 * Test splits of the DeepOBS classification problems (the runs' `testProblem`), loaded once per data set and
 * kept. Images come in tfjs's NHWC layout; the evaluator turns them into the model's layout. Problems without
 * accuracy (regression, text, the 2-D functions) have no split here.
 */
export function deepobsTestSplits(options: Omit<DataOptions, 'seed'> = {}): TestSplitProvider {
  const cache = new Map<string, TestSplit | undefined>();
  return async (started) => {
    // Loaded on the first checkpoint only: DeepOBS brings tfjs along, which a bridge without checkpoints never needs.
    const deepobs = await import('@flightdeck/deepobs');
    const problem = deepobs.TEST_PROBLEMS.get(started.testProblem ?? '');
    if (!problem?.hasAccuracy) return undefined;
    if (!cache.has(problem.dataset)) cache.set(problem.dataset, loadSplit(deepobs.loadDataSet, problem.dataset, options));
    return cache.get(problem.dataset);
  };
}

function loadSplit(
  loadDataSet: typeof import('@flightdeck/deepobs').loadDataSet,
  dataset: DataSetName,
  options: Omit<DataOptions, 'seed'>,
): TestSplit | undefined {
  const data = loadDataSet(dataset, { ...options, seed: 42 });
  const inputs: Float32Array[] = [];
  const labels: number[] = [];
  let shape: number[] = [];
  // Every pass drops an incomplete last batch (as DeepOBS does): a small split goes in one batch.
  const examples = data.numBatches('test', 1);
  for (const batch of data.batches('test', examples <= 2000 ? examples : 500)) {
    if (!batch.targets || batch.targets.dtype !== 'int32' || batch.inputs.rank !== 4) {
      batch.inputs.dispose();
      batch.targets?.dispose();
      return undefined;
    }
    shape = batch.inputs.shape.slice(1);
    inputs.push(batch.inputs.dataSync() as Float32Array);
    labels.push(...(batch.targets.dataSync() as Int32Array));
    batch.inputs.dispose();
    batch.targets.dispose();
  }
  if (labels.length === 0) return undefined;
  const all = new Float32Array(inputs.reduce((n, a) => n + a.length, 0));
  inputs.reduce((offset, a) => (all.set(a, offset), offset + a.length), 0);
  return { inputs: all, shape: [labels.length, ...shape], labels, layout: 'nhwc' };
}
