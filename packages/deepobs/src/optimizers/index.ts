/**
 * The optimizers of DeepOBS / Crowded Valley on tfjs.
 *
 * Use: `getOptimizer('Adam').create({ lr: 3e-4 })` gives an {@link Optimizer} with the other hyperparameters at
 * their Crowded Valley defaults; `optimizer.applyGradients(variables, grads)` updates the variables in place;
 * set `optimizer.learningRate` between epochs for a schedule; `optimizer.dispose()` frees its state.
 *
 * ## Adding an optimizer
 *
 * 1. Write its update rule: extend {@link SlotOptimizer}, return its per-variable state from `createSlots`
 *    (e.g. `{ m: zerosSlot(variable) }`) and, in `update(variable, grad, slots, step)`, assign the new slots and
 *    the new variable value with tensor ops (it runs inside `tf.tidy`; `step` counts from 1 per variable). Any
 *    other class implementing {@link Optimizer} works too.
 * 2. Describe it with {@link defineOptimizer}: name, DeepOBS output folder name, a one-line doc, its
 *    hyperparameters (name, type, default, tuning space, doc) and `build(values)`, which receives every
 *    hyperparameter validated and completed with defaults.
 * 3. `registerOptimizer(spec)`: runners and `deepobs optimizers` now find it by name.
 *
 * `test/optimizers/custom.test.ts` does exactly this for a sign-SGD.
 */
import { resolveHyperparameters } from './hyperparameters.js';
import { getOptimizer } from './registry.js';
import type { Optimizer } from './types.js';

export type { HyperparameterSpec, HyperparameterValue, Optimizer, OptimizerSpec } from './types.js';
export { SlotOptimizer, zerosSlot } from './stateful.js';
export type { Slots } from './stateful.js';
export { defineOptimizer, resolveHyperparameters, num } from './hyperparameters.js';
export type { Resolved } from './hyperparameters.js';
export { OPTIMIZERS, getOptimizer, listOptimizers, registerOptimizer } from './registry.js';

/** The optimizer `name` with the given hyperparameters (the rest at their defaults). */
export function createOptimizer(name: string, hyperparameters: Record<string, unknown> = {}): Optimizer {
  const spec = getOptimizer(name);
  return spec.create(resolveHyperparameters(spec, hyperparameters));
}
