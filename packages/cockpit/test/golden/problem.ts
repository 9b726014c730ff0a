// Builds a golden problem in tfjs from its description: the model as a tf.Sequential, parameters and inputs
// converted from PyTorch's layouts (Linear [out,in] → Dense [in,out]; Conv2d [out,in,kh,kw] → [kh,kw,in,out];
// NCHW → NHWC; the Linear after a Flatten of CHW features gets its rows permuted to NHWC order).
import * as tf from '@tensorflow/tfjs';
import type { LossKind } from '../../src/engine/types';
import type { GoldenBatch, GoldenLayer, GoldenParam, GoldenProblem } from './golden';

export interface TfjsProblem {
  model: tf.Sequential;
  loss: LossKind;
  /** perms[k][goldenIndex] = tfjs flat index of parameter k. */
  perms: number[][];
}

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];

const identity = (n: number) => Array.from({ length: n }, (_, i) => i);

export function buildProblem(problem: GoldenProblem): TfjsProblem {
  const model = tf.sequential();
  const perms: number[][] = [];
  // CHW while spatial, else the number of features; featureOrder[ptIndex] = tfjs index of that feature.
  let chw: [number, number, number] | undefined = problem.input_shape.length === 3 ? (problem.input_shape as [number, number, number]) : undefined;
  let featureOrder: number[] = identity(chw ? 0 : problem.input_shape[0]);
  const inputShape = chw ? [chw[1], chw[2], chw[0]] : problem.input_shape;
  const first = () => (model.layers.length === 0 ? { inputShape } : {});
  for (const layer of problem.model.layers) {
    switch (layer.type) {
      case 'Linear': {
        const [inF, outF] = [layer.in_features!, layer.out_features!];
        model.add(tf.layers.dense({ units: outF, ...first() }));
        // golden W[o, i] → kernel[featureOrder[i], o]
        perms.push(identity(outF * inF).map((g) => featureOrder[g % inF] * outF + Math.floor(g / inF)), identity(outF));
        featureOrder = identity(outF);
        break;
      }
      case 'Conv2d': {
        if (!chw) throw new Error('Conv2d after the features were flattened');
        const [kh, kw] = pair(layer.kernel_size, 1);
        const [sh, sw] = pair(layer.stride, 1);
        const [ph, pw] = pair(layer.padding, 0);
        const same = ph === (kh - 1) / 2 && pw === (kw - 1) / 2 && sh === 1 && sw === 1;
        if (!(same || (ph === 0 && pw === 0))) throw new Error(`Conv2d padding ${ph},${pw} has no tfjs equivalent`);
        const [cin, cout] = [layer.in_channels!, layer.out_channels!];
        model.add(tf.layers.conv2d({ filters: cout, kernelSize: [kh, kw], strides: [sh, sw], padding: same ? 'same' : 'valid', ...first() }));
        perms.push(
          identity(cout * cin * kh * kw).map((g) => {
            const [o, c, i, j] = [Math.floor(g / (cin * kh * kw)), Math.floor(g / (kh * kw)) % cin, Math.floor(g / kw) % kh, g % kw];
            return ((i * kw + j) * cin + c) * cout + o;
          }),
          identity(cout),
        );
        chw = same ? [cout, chw[1], chw[2]] : [cout, Math.floor((chw[1] - kh) / sh) + 1, Math.floor((chw[2] - kw) / sw) + 1];
        break;
      }
      case 'MaxPool2d':
      case 'AvgPool2d': {
        if (!chw) throw new Error(`${layer.type} after the features were flattened`);
        const [kh, kw] = pair(layer.kernel_size, 1);
        const [sh, sw] = pair(layer.stride, kh);
        if (pair(layer.padding, 0).some((p) => p !== 0)) throw new Error(`${layer.type} with padding is not converted`);
        const make = layer.type === 'MaxPool2d' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
        model.add(make({ poolSize: [kh, kw], strides: [sh, sw], padding: 'valid', ...first() }));
        chw = [chw[0], Math.floor((chw[1] - kh) / sh) + 1, Math.floor((chw[2] - kw) / sw) + 1];
        break;
      }
      case 'Flatten': {
        model.add(tf.layers.flatten(first()));
        if (chw) {
          const [c, h, w] = chw;
          featureOrder = identity(c * h * w).map((g) => {
            const [ci, hi, wi] = [Math.floor(g / (h * w)), Math.floor(g / w) % h, g % w];
            return (hi * w + wi) * c + ci;
          });
          chw = undefined;
        }
        break;
      }
      case 'ReLU':
      case 'Sigmoid':
      case 'Tanh':
        model.add(tf.layers.activation({ activation: layer.type.toLowerCase() as 'relu', ...first() }));
        break;
      default:
        throw new Error(`golden layer ${(layer as GoldenLayer).type} is not converted`);
    }
  }
  const loss: LossKind = problem.model.loss.type === 'MSELoss' ? 'mean_squared_error' : 'softmax_cross_entropy';
  return { model, loss, perms };
}

/** Sets the model's weights from golden parameters. */
export function setParameters(p: TfjsProblem, params: readonly GoldenParam[]): void {
  p.model.setWeights(
    params.map((g, k) => {
      const values = new Float32Array(g.numel);
      g.values.forEach((v, i) => (values[p.perms[k][i]] = v));
      return tf.tensor(values, p.model.trainableWeights[k].shape as number[]);
    }),
  );
}

/** A tfjs-layout flat parameter in golden order. */
export function toGoldenOrder(p: TfjsProblem, k: number, tfjsFlat: ArrayLike<number>): number[] {
  return p.perms[k].map((t) => tfjsFlat[t]);
}

export function batchTensors(batch: GoldenBatch): { x: tf.Tensor; y: tf.Tensor } {
  const { shape, values } = batch.inputs;
  const x = shape.length === 4 ? tf.tidy(() => tf.transpose(tf.tensor(values, shape), [0, 2, 3, 1])) : tf.tensor(values, shape);
  const y = batch.labels ? tf.tensor1d(batch.labels, 'int32') : tf.tensor(batch.targets!.values, batch.targets!.shape);
  return { x, y };
}
