import * as tf from '@tensorflow/tfjs';
import type { DataSet, Split } from '../data/index.js';
import type { ProblemInstance } from '../problems/index.js';

export interface SplitMetrics {
  loss: number;
  accuracy?: number;
}

/**
 * A full pass over one evaluation split: the mean over batches of the per-batch mean loss (and accuracy), as
 * DeepOBS computes it. Stateful problems start the pass from a zero state.
 */
export async function evaluateSplit(instance: ProblemInstance, data: DataSet, split: Exclude<Split, 'train'>, batchSize: number): Promise<SplitMetrics> {
  instance.resetState?.();
  let loss = 0;
  let accuracy = 0;
  let hasAccuracy = false;
  let batches = 0;
  for (const batch of data.batches(split, batchSize)) {
    const out = instance.evaluate(batch, split);
    loss += (await out.loss.data())[0];
    if (out.accuracy) {
      accuracy += (await out.accuracy.data())[0];
      hasAccuracy = true;
    }
    tf.dispose([batch.inputs, batch.targets ?? [], out.loss, out.accuracy ?? []]);
    batches++;
  }
  if (batches === 0) throw new Error(`the ${split} split of ${data.name} (${data.source}) has less than one batch of ${batchSize}`);
  return { loss: loss / batches, ...(hasAccuracy ? { accuracy: accuracy / batches } : {}) };
}
