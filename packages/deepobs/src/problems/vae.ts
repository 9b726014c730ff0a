// The variational autoencoder of mnist_vae / fmnist_vae (deepobs.md §1.4).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { Batch } from '../data/index.js';
import { Initializers, modelParameters, reseedDropout } from './sequential.js';
import type { Phase, ProblemInstance, TestProblem } from './types.js';

const LATENT = 8;
const DROPOUT = 0.2;

function encoder(init: Initializers): tf.Sequential {
  const layers: tf.layers.Layer[] = [];
  [2, 2, 1].forEach((strides, i) => {
    layers.push(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
        filters: 64,
        kernelSize: 4,
        strides,
        padding: 'same',
        kernelInitializer: init.glorotUniform(),
        biasInitializer: 'zeros',
        name: `enc_conv${i + 1}`,
      }),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      tf.layers.dropout({ rate: DROPOUT }),
    );
  });
  layers.push(tf.layers.flatten());
  return tf.sequential({ layers });
}

function head(init: Initializers, name: string): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [7 * 7 * 64], units: LATENT, kernelInitializer: init.glorotUniform(), biasInitializer: 'zeros', name })],
  });
}

function decoder(init: Initializers): tf.Sequential {
  const dense = (units: number, name: string, inputShape?: number[]) =>
    tf.layers.dense({ ...(inputShape ? { inputShape } : {}), units, kernelInitializer: init.glorotUniform(), biasInitializer: 'zeros', name });
  const deconv = (strides: number, name: string) =>
    tf.layers.conv2dTranspose({
      filters: 64,
      kernelSize: 4,
      strides,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.glorotUniform(),
      biasInitializer: 'zeros',
      name,
    });
  return tf.sequential({
    layers: [
      dense(24, 'dec_dense1', [LATENT]),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      dense(49, 'dec_dense2'),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      tf.layers.reshape({ targetShape: [7, 7, 1] }),
      deconv(2, 'dec_deconv1'),
      tf.layers.dropout({ rate: DROPOUT }),
      deconv(1, 'dec_deconv2'),
      tf.layers.dropout({ rate: DROPOUT }),
      deconv(1, 'dec_deconv3'),
      tf.layers.flatten(),
      tf.layers.dense({ units: 28 * 28, activation: 'sigmoid', kernelInitializer: init.glorotUniform(), biasInitializer: 'zeros', name: 'dec_out' }),
      tf.layers.reshape({ targetShape: [28, 28, 1] }),
    ],
  });
}

function vae(dataset: 'mnist' | 'fmnist', defaultEpochs: number): TestProblem {
  return {
    name: `${dataset}_vae`,
    dataset,
    defaultBatchSize: 64,
    defaultEpochs,
    hasAccuracy: false,
    defaultWeightDecay: null,
    referenceParameterCount: 10_151_489,
    doc: 'VAE with a 3-conv encoder, latent size 8 and a 3-deconv decoder; loss Σ(x̂−x)² + KL; dropout 0.2.',
    build(options): ProblemInstance {
      const rng = new Rng(options.seed).fork(this.name);
      const init = new Initializers(rng.fork('init'));
      const nets = { encoder: encoder(init), mean: head(init, 'mean'), logSd: head(init, 'log_sd'), decoder: decoder(init) };
      const models = Object.values(nets);
      const params = modelParameters(models, () => false);
      const random = rng.fork('random');
      const loss = (batch: Batch, phase: Phase) =>
        tf.tidy(() => {
          const training = phase === 'train';
          if (training) models.forEach((m) => reseedDropout(m, random));
          const features = nets.encoder.apply(batch.inputs, { training }) as tf.Tensor;
          const mean = nets.mean.apply(features) as tf.Tensor2D;
          const logSd = tf.mul(0.5, nets.logSd.apply(features) as tf.Tensor2D);
          // The reference samples z in every phase, evaluation included.
          const z = tf.add(mean, tf.mul(tf.randomNormal(mean.shape, 0, 1, 'float32', random.seed()), tf.exp(logSd)));
          const image = nets.decoder.apply(z, { training }) as tf.Tensor;
          const reconstruction = tf.sum(tf.square(tf.sub(image, batch.inputs)), [1, 2, 3]);
          const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, tf.mul(2, logSd)), tf.square(mean)), tf.exp(tf.mul(2, logSd))), 1));
          return tf.mean(tf.add(reconstruction, kl)) as tf.Scalar;
        });
      return {
        variables: params.variables,
        parameterNames: params.parameterNames,
        loss,
        evaluate: (batch, phase) => ({ loss: loss(batch, phase) }),
        dispose: () => models.forEach((m) => m.dispose()),
      };
    },
  };
}

export const VAE_PROBLEMS: TestProblem[] = [vae('mnist', 50), vae('fmnist', 100)];
