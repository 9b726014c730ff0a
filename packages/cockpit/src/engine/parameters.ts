import type * as tf from '@tensorflow/tfjs';
import { chainOf } from './model/chain.js';
import type { ParamInfo } from './types.js';

/** The model's trainable parameters in model.trainableWeights order (= getWeights() order for supported layers). */
export function parameters(model: tf.LayersModel): ParamInfo[] {
  let offset = 0;
  return chainOf(model).variables.map((v) => {
    const shape = v.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const info = { name: v.name, shape, size, offset };
    offset += size;
    return info;
  });
}
