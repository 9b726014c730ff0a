import * as tf from '@tensorflow/tfjs';
import type { RunStream } from '@flightdeck/core';
import { Cockpit, type Preset } from '@flightdeck/cockpit';
import type { Optimizer } from '../optimizers/index.js';
import type { ProblemInstance } from '../problems/index.js';
import type { TrainStep } from './train-step.js';

/** A Cockpit on the problem's layer chain, writing its StepRecords into the run's stream. */
export function createCockpit(problemName: string, instance: ProblemInstance, preset: Preset, stream: RunStream, seed: number): Cockpit {
  if (!instance.model || !instance.lossKind) {
    throw new Error(
      `${problemName} cannot be watched by Cockpit: it is not a plain chain of Dense/Conv2D/pooling/activation/Flatten/Dropout layers (Cockpit instruments quadratic_deep, mnist/fmnist logreg, mlp and 2c2d, the 3c3d problems, cifar100_allcnnc and the VGGs)`,
    );
  }
  return new Cockpit({ model: instance.model, loss: instance.lossKind, preset, stream, seed });
}

/**
 * One step through Cockpit: its pass gives the data loss, the gradient and the scheduled quantities. Cockpit sees
 * the model only, so the problem's L2 term is added back here: (λ/2)·Σ‖W‖² to the loss and λ·W to the gradients.
 * Quantities describe the data loss; Alpha is told the step is plain SGD only when it is.
 */
export function cockpitTrainStep(cockpit: Cockpit, instance: ProblemInstance, optimizer: Optimizer, isPlainSgd: boolean): TrainStep {
  const index = new Map(instance.variables.map((v, i) => [v, i]));
  return async (batch, step, epoch) => {
    const y = instance.prepareTargets ? tf.tidy(() => instance.prepareTargets!(batch)) : batch.targets;
    if (!y) throw new Error('Cockpit needs labelled batches');
    const x = instance.prepareInputs ? tf.tidy(() => instance.prepareInputs!(batch.inputs)) : batch.inputs;
    let result;
    try {
      result = await cockpit.step({ step, epoch, x, y }, isPlainSgd ? { lr: optimizer.learningRate } : undefined);
    } finally {
      if (x !== batch.inputs) x.dispose();
      if (y !== batch.targets) y.dispose();
    }
    let { loss } = result;
    const grads = result.grads;
    const reg = instance.regularizer;
    if (reg) {
      const { weightDecay, variables } = reg;
      loss += (weightDecay / 2) * tf.tidy(() => tf.addN(variables.map((v) => tf.sum(tf.square(v)))).dataSync()[0]);
      for (const v of variables) {
        const i = index.get(v)!;
        const old = grads[i];
        grads[i] = tf.tidy(() => tf.add(old, tf.mul(weightDecay, v)));
        old.dispose();
      }
    }
    return { loss, grads, recorded: result.record !== undefined };
  };
}
