import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
type Initializer = ReturnType<typeof tf.initializers.zeros>;
import type { Batch } from '../data/index.js';
import { accuracy, l2Regularizer, softmaxCrossEntropy } from './losses.js';
import type { BuildOptions, Phase, ProblemInstance, TestProblem } from './types.js';

/**
 * tfjs's Dropout layer draws its mask from its `seed` field, so a fixed seed would repeat one mask forever and no
 * seed is not reproducible. Giving every dropout layer a fresh seed from the run's generator before each training
 * pass keeps masks random and runs reproducible, and leaves the layers standard for Cockpit.
 */
export function reseedDropout(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = rng.seed();
  }
}

/** Seeded tfjs initialisers drawn from one generator, in construction order. */
export class Initializers {
  constructor(private readonly rng: Rng) {}
  truncatedNormal(stddev: number): Initializer {
    return tf.initializers.truncatedNormal({ mean: 0, stddev, seed: this.rng.seed() });
  }
  glorotNormal(): Initializer {
    return tf.initializers.glorotNormal({ seed: this.rng.seed() });
  }
  glorotUniform(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.rng.seed() });
  }
  constant(value: number): Initializer {
    return value === 0 ? tf.initializers.zeros() : tf.initializers.constant({ value });
  }
}

export interface ModelParameters {
  variables: tf.Variable[];
  parameterNames: string[];
  /** The kernels the L2 term covers. */
  regularized: tf.Variable[];
}

/** A model's trainable weights with their layer-qualified names; `regularize` picks the L2-penalised ones. */
export function modelParameters(models: tf.LayersModel[], regularize: (name: string) => boolean): ModelParameters {
  const weights = models.flatMap((m) => m.trainableWeights);
  const variables = weights.map((w) => w.read() as tf.Variable);
  const parameterNames = weights.map((w) => w.originalName);
  return { variables, parameterNames, regularized: variables.filter((_, i) => regularize(parameterNames[i])) };
}

/** Kernels of convolutions and dense layers, not biases or batch-norm scales. */
export const isKernel = (name: string): boolean => name.endsWith('/kernel');

export interface ClassifierConfig {
  /** Builds the logits network; all its initialisers must come from `init`. A tf.Sequential is offered to Cockpit. */
  network(init: Initializers): tf.LayersModel;
  /** Which parameters carry the L2 term (by name); the default factor is the problem's. */
  regularize?: (name: string) => boolean;
  /** Applied to the inputs before the network (kept out of the chain so Cockpit sees only standard layers). */
  prepareInputs?: (inputs: tf.Tensor) => tf.Tensor;
}

/** A softmax classifier: mean cross-entropy + L2 and accuracy; a layer chain is exposed to Cockpit. */
export function classifierInstance(problem: TestProblem, config: ClassifierConfig, options: BuildOptions): ProblemInstance {
  const rng = new Rng(options.seed).fork(problem.name);
  const model = config.network(new Initializers(rng.fork('init')));
  const dropoutRng = rng.fork('dropout');
  const weightDecay = options.weightDecay ?? problem.defaultWeightDecay ?? 0;
  const params = modelParameters([model], config.regularize ?? (() => false));
  const forward = (batch: Batch, phase: Phase): { loss: tf.Scalar; logits: tf.Tensor } => {
    if (!batch.targets) throw new Error(`${problem.name}: batch has no labels`);
    if (phase === 'train') reseedDropout(model, dropoutRng);
    const inputs = config.prepareInputs ? config.prepareInputs(batch.inputs) : batch.inputs;
    const logits = model.apply(inputs, { training: phase === 'train' }) as tf.Tensor;
    const data = tf.mean(softmaxCrossEntropy(logits, batch.targets));
    return { loss: tf.add(data, l2Regularizer(params.regularized, weightDecay)) as tf.Scalar, logits };
  };
  return {
    variables: params.variables,
    parameterNames: params.parameterNames,
    ...(model instanceof tf.Sequential ? { model, lossKind: 'softmax_cross_entropy' as const } : {}),
    prepareInputs: config.prepareInputs,
    ...(weightDecay > 0 && params.regularized.length > 0 ? { regularizer: { weightDecay, variables: params.regularized } } : {}),
    loss: (batch, phase) => tf.tidy(() => forward(batch, phase).loss),
    evaluate: (batch, phase) =>
      tf.tidy(() => {
        const { loss, logits } = forward(batch, phase);
        return { loss, accuracy: accuracy(logits, batch.targets!) };
      }),
    dispose: () => model.dispose(),
  };
}
