// Pre-activation Wide ResNet (deepobs.md §1.4, svhn_wrn164) as a tfjs functional model.
import * as tf from '@tensorflow/tfjs';
import type { Initializers } from './sequential.js';
import { classifierInstance, isKernel } from './sequential.js';
import type { TestProblem } from './types.js';

export interface WrnConfig {
  depth: number;
  widthFactor: number;
  classes: number;
  inputShape: number[];
}

/** WRN-d-k: n = (d−4)/6 units per group, widths 16k/32k/64k, TF batch-norm (momentum 0.9, ε 1e-5), no biases. */
export function wideResNet(config: WrnConfig, init: Initializers): tf.LayersModel {
  const unitsPerGroup = (config.depth - 4) / 6;
  if (!Number.isInteger(unitsPerGroup)) throw new Error(`WRN depth ${config.depth} is not 6n+4`);
  let convs = 0, norms = 0;
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number) =>
    tf.layers
      .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init.glorotUniform(), name: `conv${++convs}` })
      .apply(x) as tf.SymbolicTensor;
  const bnRelu = (x: tf.SymbolicTensor) =>
    tf.layers.reLU().apply(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `bn${++norms}` }).apply(x)) as tf.SymbolicTensor;

  const input = tf.input({ shape: config.inputShape });
  let x = conv(input, 16, 3, 1);
  let width = 16;
  [16, 32, 64].forEach((base, group) => {
    const groupWidth = base * config.widthFactor;
    for (let u = 0; u < unitsPerGroup; u++) {
      const stride = u === 0 && group > 0 ? 2 : 1;
      const y = bnRelu(x);
      // The first unit projects the pre-activated input when the width changes (never an identity for k > 1).
      const shortcut = u === 0 && width !== groupWidth ? conv(y, groupWidth, 1, stride) : x;
      const residual = conv(bnRelu(conv(y, groupWidth, 3, stride)), groupWidth, 3, 1);
      x = tf.layers.add().apply([residual, shortcut]) as tf.SymbolicTensor;
      width = groupWidth;
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(bnRelu(x)) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: config.classes, kernelInitializer: init.glorotUniform(), biasInitializer: 'zeros', name: 'dense' })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

export const SVHN_WRN164: TestProblem = {
  name: 'svhn_wrn164',
  dataset: 'svhn',
  defaultBatchSize: 128,
  defaultEpochs: 160,
  hasAccuracy: true,
  defaultWeightDecay: 5e-4,
  referenceParameterCount: 2_748_890,
  doc: 'Wide ResNet 16-4 (pre-activation, batch norm momentum 0.9, no dropout); L2 5e-4 on conv and dense kernels.',
  build(options) {
    return classifierInstance(
      this,
      { network: (init) => wideResNet({ depth: 16, widthFactor: 4, classes: 10, inputShape: [32, 32, 3] }, init), regularize: isKernel },
      options,
    );
  },
};
