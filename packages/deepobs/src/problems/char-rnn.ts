// tolstoi_char_rnn (deepobs.md §1.4): a stateful two-layer character LSTM, unrolled over 50 characters.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { Batch } from '../data/index.js';
import { TOLSTOI } from '../data/index.js';
import { accuracy, softmaxCrossEntropy } from './losses.js';
import type { Phase, ProblemInstance, TestProblem } from './types.js';

const HIDDEN = 128;
const LAYERS = 2;
const KEEP = 0.8;
const FORGET_BIAS = 1.0;

interface LstmState {
  c: tf.Tensor2D;
  h: tf.Tensor2D;
}

/**
 * TF's LSTMCell: gates = [x, h]·W + b split as (i, j, f, o); c' = c·σ(f + 1) + σ(i)·tanh(j); h' = tanh(c')·σ(o).
 * The input part of [x, h]·W is computed for all time steps at once.
 */
function lstmLayer(inputs: tf.Tensor3D, kernel: tf.Variable, bias: tf.Variable, state: LstmState): { outputs: tf.Tensor3D; state: LstmState } {
  const [batch, steps, features] = inputs.shape;
  const wx = tf.slice(kernel, [0, 0], [features, 4 * HIDDEN]);
  const wh = tf.slice(kernel, [features, 0], [HIDDEN, 4 * HIDDEN]);
  const projected = tf.add(tf.matMul(tf.reshape(inputs, [batch * steps, features]), wx), bias).reshape([batch, steps, 4 * HIDDEN]);
  let { c, h } = state;
  const outputs: tf.Tensor2D[] = [];
  for (const xw of tf.unstack(projected, 1) as tf.Tensor2D[]) {
    const [i, j, f, o] = tf.split(tf.add(xw, tf.matMul(h, wh)), 4, 1);
    c = tf.add(tf.mul(c, tf.sigmoid(tf.add(f, FORGET_BIAS))), tf.mul(tf.sigmoid(i), tf.tanh(j)));
    h = tf.mul(tf.tanh(c), tf.sigmoid(o));
    outputs.push(h);
  }
  return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, state: { c, h } };
}

export const TOLSTOI_CHAR_RNN: TestProblem = {
  name: 'tolstoi_char_rnn',
  dataset: 'tolstoi',
  defaultBatchSize: 50,
  defaultEpochs: 200,
  hasAccuracy: true,
  defaultWeightDecay: null,
  referenceParameterCount: 284_499,
  doc: 'Two stateful LSTM layers of 128 units over 50 characters, embedding 83×128, dropout (keep 0.8) on each layer’s input and output.',
  build(options): ProblemInstance {
    const rng = new Rng(options.seed).fork(this.name);
    const init = rng.fork('init');
    const glorot = (shape: number[]) => tf.initializers.glorotUniform({ seed: init.seed() }).apply(shape);
    // Inside tidy so that only the variables survive, not the tensors they were made from.
    const named = tf.tidy(() => {
      const list: [string, tf.Variable][] = [['embedding', tf.variable(glorot([TOLSTOI.vocabulary, HIDDEN]))]];
      for (let l = 1; l <= LAYERS; l++) {
        list.push([`lstm${l}/kernel`, tf.variable(glorot([2 * HIDDEN, 4 * HIDDEN]))], [`lstm${l}/bias`, tf.variable(tf.zeros([4 * HIDDEN]))]);
      }
      list.push(['softmax/kernel', tf.variable(glorot([HIDDEN, TOLSTOI.vocabulary]))], ['softmax/bias', tf.variable(tf.zeros([TOLSTOI.vocabulary]))]);
      return list;
    });
    const v = Object.fromEntries(named);
    const dropoutRng = rng.fork('dropout');
    // The state carried from one batch to the next of a pass; undefined = zeros (start of a pass).
    let carried: LstmState[] | undefined;

    const setState = (next: LstmState[] | undefined) => {
      carried?.forEach((s) => tf.dispose([s.c, s.h]));
      carried = next;
    };
    const forward = (batch: Batch, phase: Phase): tf.Tensor => {
      const training = phase === 'train';
      const drop = <T extends tf.Tensor>(x: T): T => (training ? (tf.dropout(x, 1 - KEEP, undefined, dropoutRng.seed()) as T) : x);
      const [size] = batch.inputs.shape;
      let x = tf.gather(v.embedding, batch.inputs.toInt()) as tf.Tensor3D;
      const next: LstmState[] = [];
      for (let l = 0; l < LAYERS; l++) {
        const state = carried?.[l] ?? { c: tf.zeros([size, HIDDEN]) as tf.Tensor2D, h: tf.zeros([size, HIDDEN]) as tf.Tensor2D };
        const out = lstmLayer(drop(x), v[`lstm${l + 1}/kernel`], v[`lstm${l + 1}/bias`], state);
        x = drop(out.outputs);
        next.push({ c: tf.keep(out.state.c.clone()), h: tf.keep(out.state.h.clone()) });
      }
      // Truncated backpropagation: the next batch starts from these values, not from the graph that made them.
      setState(next);
      const [b, steps] = x.shape;
      return tf.add(tf.matMul(tf.reshape(x, [b * steps, HIDDEN]), v['softmax/kernel']), v['softmax/bias']).reshape([b, steps, TOLSTOI.vocabulary]);
    };
    return {
      variables: named.map(([, variable]) => variable),
      parameterNames: named.map(([name]) => name),
      loss: (batch, phase) => tf.tidy(() => tf.mean(softmaxCrossEntropy(forward(batch, phase), batch.targets!)) as tf.Scalar),
      evaluate: (batch, phase) =>
        tf.tidy(() => {
          const logits = forward(batch, phase);
          return { loss: tf.mean(softmaxCrossEntropy(logits, batch.targets!)) as tf.Scalar, accuracy: accuracy(logits, batch.targets!) };
        }),
      resetState: () => setState(undefined),
      dispose: () => {
        setState(undefined);
        tf.dispose(named.map(([, variable]) => variable));
      },
    };
  },
};
