import * as tf from '@tensorflow/tfjs';

/**
 * A new tensor on the same storage as t, to keep t's value past a dispose or a variable's assign. tfjs tensors are
 * immutable and assign moves a variable to new storage, so sharing is safe; tf.clone copies every value on wasm
 * (the MNIST MLP's gradients and parameters: 5 MB each, several times a step), while Reshape shares the storage on
 * every backend.
 */
export function retain<T extends tf.Tensor>(t: T): T {
  return tf.reshape(t, t.shape) as T;
}

export function retainAll<T extends tf.Tensor>(tensors: readonly T[]): T[] {
  return tensors.map((t) => retain(t));
}
