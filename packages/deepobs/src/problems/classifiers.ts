// The image classifiers of DeepOBS (deepobs.md §1.4), as tfjs layer chains with the reference initialisers.
import * as tf from '@tensorflow/tfjs';
import type { DataSetName } from '../data/index.js';
import { IMAGE_DATASETS } from '../data/index.js';
import type { Initializers } from './sequential.js';
import { classifierInstance, isKernel } from './sequential.js';
import type { TestProblem } from './types.js';

type ImageDataSetName = keyof typeof IMAGE_DATASETS;

interface ClassifierSpec {
  name: string;
  dataset: ImageDataSetName & DataSetName;
  defaultBatchSize: number;
  defaultEpochs: number;
  defaultWeightDecay: number | null;
  referenceParameterCount: number;
  doc: string;
  network(init: Initializers, inputShape: number[], classes: number): tf.layers.Layer[];
  regularize?: (name: string) => boolean;
  /** Input shape of the network when it differs from the data's (after prepareInputs). */
  networkInput?: number[];
  prepareInputs?: (inputs: tf.Tensor) => tf.Tensor;
}

function classifier(spec: ClassifierSpec): TestProblem {
  const { shape, numClasses } = IMAGE_DATASETS[spec.dataset];
  const problem: TestProblem = {
    name: spec.name,
    dataset: spec.dataset,
    defaultBatchSize: spec.defaultBatchSize,
    defaultEpochs: spec.defaultEpochs,
    hasAccuracy: true,
    defaultWeightDecay: spec.defaultWeightDecay,
    referenceParameterCount: spec.referenceParameterCount,
    doc: spec.doc,
    build: (options) =>
      classifierInstance(
        problem,
        {
          network: (init) =>
            tf.sequential({ layers: spec.network(init, spec.networkInput ?? [shape.height, shape.width, shape.channels], numClasses), name: spec.name }),
          regularize: spec.regularize,
          prepareInputs: spec.prepareInputs,
        },
        options,
      ),
  };
  return problem;
}

const logregLayers: ClassifierSpec['network'] = (init, inputShape, classes) => [
  tf.layers.flatten({ inputShape, name: 'flatten' }),
  tf.layers.dense({ units: classes, kernelInitializer: init.constant(0), biasInitializer: init.constant(0), name: 'dense' }),
];

const mlpLayers: ClassifierSpec['network'] = (init, inputShape, classes) => [
  tf.layers.flatten({ inputShape, name: 'flatten' }),
  ...[1000, 500, 100].map((units, i) =>
    tf.layers.dense({ units, activation: 'relu', kernelInitializer: init.truncatedNormal(0.03), biasInitializer: init.constant(0), name: `dense${i + 1}` }),
  ),
  tf.layers.dense({ units: classes, kernelInitializer: init.truncatedNormal(0.03), biasInitializer: init.constant(0), name: 'dense4' }),
];

const twoConvLayers: ClassifierSpec['network'] = (init, inputShape, classes) => {
  const conv = (filters: number, name: string, first: boolean) =>
    tf.layers.conv2d({
      ...(first ? { inputShape } : {}),
      filters,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.truncatedNormal(0.05),
      biasInitializer: init.constant(0.05),
      name,
    });
  const dense = (units: number, name: string, activation?: 'relu') =>
    tf.layers.dense({ units, activation, kernelInitializer: init.truncatedNormal(0.05), biasInitializer: init.constant(0.05), name });
  return [
    conv(32, 'conv1', true),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'pool1' }),
    conv(64, 'conv2', false),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'pool2' }),
    tf.layers.flatten({ name: 'flatten' }),
    dense(1024, 'dense1', 'relu'),
    dense(classes, 'dense2'),
  ];
};

const threeConvLayers: ClassifierSpec['network'] = (init, inputShape, classes) => {
  const conv = (filters: number, kernelSize: number, padding: 'same' | 'valid', name: string, first = false) =>
    tf.layers.conv2d({
      ...(first ? { inputShape } : {}),
      filters,
      kernelSize,
      padding,
      activation: 'relu',
      kernelInitializer: init.glorotNormal(),
      biasInitializer: init.constant(0),
      name,
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name });
  const dense = (units: number, name: string, activation?: 'relu') =>
    tf.layers.dense({ units, activation, kernelInitializer: init.glorotUniform(), biasInitializer: init.constant(0), name });
  return [
    conv(64, 5, 'valid', 'conv1', true),
    pool('pool1'),
    conv(96, 3, 'valid', 'conv2'),
    pool('pool2'),
    conv(128, 3, 'same', 'conv3'),
    pool('pool3'),
    tf.layers.flatten({ name: 'flatten' }),
    dense(512, 'dense1', 'relu'),
    dense(256, 'dense2', 'relu'),
    dense(classes, 'dense3'),
  ];
};

const allCnnCLayers: ClassifierSpec['network'] = (init, inputShape, classes) => {
  let n = 0;
  const conv = (filters: number, kernelSize: number, strides = 1, padding: 'same' | 'valid' = 'same') =>
    tf.layers.conv2d({
      filters,
      kernelSize,
      strides,
      padding,
      activation: 'relu',
      kernelInitializer: init.glorotNormal(),
      biasInitializer: init.constant(0.1),
      name: `conv${++n}`,
    });
  return [
    tf.layers.dropout({ inputShape, rate: 0.2, name: 'dropout1' }),
    conv(96, 3),
    conv(96, 3),
    conv(96, 3, 2),
    tf.layers.dropout({ rate: 0.5, name: 'dropout2' }),
    conv(192, 3),
    conv(192, 3),
    conv(192, 3, 2),
    tf.layers.dropout({ rate: 0.5, name: 'dropout3' }),
    conv(192, 3, 1, 'valid'),
    conv(192, 1),
    conv(classes, 1),
    tf.layers.globalAveragePooling2d({ name: 'global_mean' }),
  ];
};

const VGG_SIZE = 224;

/**
 * TF1's resize_images (bilinear, no corner alignment, no half-pixel centres). tfjs's Resizing layer aligns corners
 * and reports a wrong output shape, so the resize runs before the chain.
 */
const resizeForVgg = (inputs: tf.Tensor) => tf.image.resizeBilinear(inputs as tf.Tensor4D, [VGG_SIZE, VGG_SIZE], false, false);

const VGG16_BLOCKS = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
] as const;

const vgg16Layers: ClassifierSpec['network'] = (init, inputShape, classes) => {
  const layers: tf.layers.Layer[] = [];
  VGG16_BLOCKS.forEach(([filters, convs], b) => {
    for (let c = 0; c < convs; c++) {
      layers.push(
        tf.layers.conv2d({
          ...(layers.length === 0 ? { inputShape } : {}),
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init.glorotNormal(),
          biasInitializer: init.constant(0),
          name: `conv${b + 1}_${c + 1}`,
        }),
      );
    }
    layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: `pool${b + 1}` }));
  });
  const dense = (units: number, name: string, activation?: 'relu') =>
    tf.layers.dense({ units, activation, kernelInitializer: init.glorotUniform(), biasInitializer: init.constant(0), name });
  layers.push(
    tf.layers.flatten({ name: 'flatten' }),
    dense(4096, 'dense1', 'relu'),
    tf.layers.dropout({ rate: 0.5, name: 'dropout1' }),
    dense(4096, 'dense2', 'relu'),
    tf.layers.dropout({ rate: 0.5, name: 'dropout2' }),
    dense(classes, 'dense3'),
  );
  return layers;
};

const isConvKernel = (name: string) => name.startsWith('conv') && isKernel(name);

const MNIST_DEFAULTS = { defaultBatchSize: 128, defaultEpochs: 100, defaultWeightDecay: null };

export const CLASSIFIER_PROBLEMS: TestProblem[] = [
  ...(['mnist', 'fmnist'] as const).flatMap((dataset) => [
    classifier({
      name: `${dataset}_logreg`,
      dataset,
      ...MNIST_DEFAULTS,
      defaultEpochs: 50,
      referenceParameterCount: 7_850,
      doc: 'Multinomial logistic regression 784 → 10, weights and biases initialised to 0.',
      network: logregLayers,
    }),
    classifier({
      name: `${dataset}_mlp`,
      dataset,
      ...MNIST_DEFAULTS,
      referenceParameterCount: 1_336_610,
      doc: 'MLP 784-1000-500-100-10 with ReLU, kernels truncated normal (σ 0.03), biases 0.',
      network: mlpLayers,
    }),
    classifier({
      name: `${dataset}_2c2d`,
      dataset,
      ...MNIST_DEFAULTS,
      referenceParameterCount: 3_274_634,
      doc: 'Two 5×5 conv + max-pool layers (32, 64), dense 1024, dense 10; truncated normal (σ 0.05), biases 0.05.',
      network: twoConvLayers,
    }),
  ]),
  ...(
    [
      ['cifar10', 10, 895_210],
      ['cifar100', 100, 918_340],
      ['svhn', 10, 895_210],
    ] as const
  ).map(([dataset, , count]) =>
    classifier({
      name: `${dataset}_3c3d`,
      dataset,
      defaultBatchSize: 128,
      defaultEpochs: 100,
      defaultWeightDecay: 0.002,
      referenceParameterCount: count,
      doc: 'Three conv layers (64 5×5 valid, 96 3×3 valid, 128 3×3 same) with 3×3/2 max-pooling, dense 512-256-C; L2 0.002.',
      network: threeConvLayers,
      regularize: isKernel,
    }),
  ),
  classifier({
    name: 'cifar100_allcnnc',
    dataset: 'cifar100',
    defaultBatchSize: 256,
    defaultEpochs: 350,
    defaultWeightDecay: 5e-4,
    referenceParameterCount: 1_387_108,
    doc: 'All-CNN-C: input dropout 0.2, nine ReLU convs (two strided), dropout 0.5, global mean; biases 0.1; L2 5e-4.',
    network: allCnnCLayers,
    regularize: isKernel,
  }),
  ...(
    [
      ['cifar10', 134_301_514],
      ['cifar100', 134_670_244],
    ] as const
  ).map(([dataset, count]) =>
    classifier({
      name: `${dataset}_vgg16`,
      dataset,
      defaultBatchSize: 128,
      defaultEpochs: 350,
      defaultWeightDecay: 5e-4,
      referenceParameterCount: count,
      doc: 'VGG-16 on images resized to 224×224 (bilinear), dense 4096-4096-C with dropout 0.5; L2 5e-4 on conv kernels.',
      network: vgg16Layers,
      regularize: isConvKernel,
      networkInput: [VGG_SIZE, VGG_SIZE, 3],
      prepareInputs: resizeForVgg,
    }),
  ),
];
