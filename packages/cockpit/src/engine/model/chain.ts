import type * as tf from '@tensorflow/tfjs';
import { AffineStep } from './affine.js';
import { ACTIVATIONS, type ActivationName, ElementwiseActivationStep } from './activation.js';
import { Conv2DStep } from './conv2d.js';
import { DenseStep } from './dense.js';
import { DropoutStep } from './dropout.js';
import { FlattenStep } from './flatten.js';
import { GlobalAveragePoolingStep } from './global-average-pooling.js';
import { OpaqueStep } from './opaque.js';
import { PoolingStep } from './pooling.js';
import type { LayerVariable, Step } from './step.js';

/** A model as the engine runs it: the steps in order, and the parameters in model.trainableWeights order. */
export interface Chain {
  readonly steps: readonly Step[];
  readonly variables: readonly LayerVariable[];
  /** Steps the fast path does not know; any makes per-example statistics take the exact loop. */
  readonly opaque: readonly OpaqueStep[];
}

type Config = Record<string, unknown>;

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);

/** Why the fast path cannot take this layer, or null when it can. */
function unsupported(layer: tf.layers.Layer, config: Config): string | null {
  if (layer.trainableWeights.length !== layer.weights.length && !(isDense(layer) && isFrozen(layer))) return 'it has non-trainable weights';
  if ('dataFormat' in config && config.dataFormat !== 'channelsLast') return `dataFormat ${config.dataFormat}`;
  if ('dilationRate' in config && pair(config.dilationRate).some((d) => d !== 1)) return 'dilation';
  if ('padding' in config && config.padding !== 'same' && config.padding !== 'valid') return `padding ${config.padding}`;
  if ('activation' in config && config.activation !== 'linear' && !ACTIVATIONS.includes(config.activation as string)) {
    return `activation ${config.activation}`;
  }
  return null;
}

const isDense = (layer: tf.layers.Layer) => layer.getClassName() === 'Dense';

/** A frozen Dense layer (all weights non-trainable) is a fixed affine map. */
const isFrozen = (layer: tf.layers.Layer) => layer.trainableWeights.length === 0 && layer.weights.length > 0;

function activationSteps(layer: tf.layers.Layer, activation: unknown): Step[] {
  if (activation === 'linear' || activation === undefined) return [];
  return [new ElementwiseActivationStep(layer.name, activation as ActivationName)];
}

function withActivation(layer: tf.layers.Layer, step: Step, activation: unknown): Step[] {
  return [step, ...activationSteps(layer, activation)];
}

function kernelAndBias(layer: tf.layers.Layer): [LayerVariable, LayerVariable | undefined] {
  const [kernel, bias] = layer.trainableWeights;
  return [kernel!, bias];
}

/** The steps of one known layer, or null when the fast path does not know it. */
function knownSteps(layer: tf.layers.Layer, inputRank: number): Step[] | null {
  const config = layer.getConfig() as Config;
  if (unsupported(layer, config)) return null;
  const [kernel, bias] = kernelAndBias(layer);
  switch (layer.getClassName()) {
    case 'Dense': {
      if (inputRank !== 2) return null;
      const [frozenKernel, frozenBias] = layer.weights;
      const step = isFrozen(layer) ? new AffineStep(layer.name, frozenKernel!, frozenBias) : new DenseStep(layer.name, kernel, bias);
      return withActivation(layer, step, config.activation);
    }
    case 'Conv2D': {
      const step = new Conv2DStep(layer.name, kernel, bias, pair(config.strides), config.padding as 'same' | 'valid');
      return withActivation(layer, step, config.activation);
    }
    case 'Activation':
      return activationSteps(layer, config.activation);
    case 'ReLU':
      return config.maxValue == null ? [new ElementwiseActivationStep(layer.name, 'relu')] : null;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const kind = layer.getClassName() === 'MaxPooling2D' ? 'maxPool' : 'avgPool';
      const size = pair(config.poolSize);
      const strides = config.strides == null ? size : pair(config.strides);
      return [new PoolingStep(layer.name, kind, size, strides, config.padding as 'same' | 'valid')];
    }
    case 'Flatten':
      return [new FlattenStep(layer.name)];
    case 'GlobalAveragePooling2D':
      return [new GlobalAveragePoolingStep(layer.name)];
    case 'Dropout':
      return config.noiseShape == null ? [new DropoutStep(layer.name, config.rate as number)] : null;
    default:
      return null;
  }
}

/** Layers in the order data flows through them; an error unless each takes exactly the previous one's output. */
function layersInChain(model: tf.LayersModel): tf.layers.Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`model "${model.name}": the engine needs one input and one output`);
  }
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  layers.forEach((layer, i) => {
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    const expected = i === 0 ? 'InputLayer' : layers[i - 1]!.name;
    const from = inbound.map((l) => (i === 0 ? l.getClassName() : l.name));
    if (layer.inboundNodes.length !== 1 || from.length !== 1 || from[0] !== expected) {
      throw new Error(`model "${model.name}": layer "${layer.name}" does not take exactly the output of "${expected}"; the engine needs a chain of layers`);
    }
  });
  return layers;
}

/** An error unless `tensors` has one tensor per parameter of the chain, each of that parameter's shape. */
export function assertPerParameter(what: string, tensors: readonly tf.Tensor[], chain: Chain): void {
  const shapes = chain.variables.map((v) => v.shape as number[]);
  if (tensors.length !== shapes.length || tensors.some((t, i) => !t.shape.every((d, j) => d === shapes[i]![j]) || t.rank !== shapes[i]!.length)) {
    const expected = shapes.map((s) => `[${s}]`).join(', ');
    throw new Error(`${what} must have one tensor per parameter with shapes ${expected}, got ${tensors.map((t) => `[${t.shape}]`).join(', ')}`);
  }
}

const chains = new WeakMap<tf.LayersModel, Chain>();

/** The model as a chain of steps (cached per model). */
export function chainOf(model: tf.LayersModel): Chain {
  const cached = chains.get(model);
  if (cached) return cached;
  const steps: Step[] = [];
  const opaque: OpaqueStep[] = [];
  for (const layer of layersInChain(model)) {
    const shapes = layer.inboundNodes[0]!.inputShapes;
    const inputRank = (Array.isArray(shapes[0]) ? (shapes[0] as tf.Shape) : (shapes as tf.Shape)).length;
    const known = knownSteps(layer, inputRank);
    if (known) {
      steps.push(...known);
    } else {
      const reason = unsupported(layer, layer.getConfig() as Config) ?? `layer class ${layer.getClassName()}`;
      const step = new OpaqueStep(layer, reason);
      steps.push(step);
      opaque.push(step);
    }
  }
  const variables = steps.flatMap((s) => s.variables);
  if (variables.length !== model.trainableWeights.length || variables.some((v, i) => v !== model.trainableWeights[i])) {
    throw new Error(`model "${model.name}": its trainable weights are not those of its layers in order`);
  }
  const chain = { steps, variables, opaque };
  chains.set(model, chain);
  return chain;
}
