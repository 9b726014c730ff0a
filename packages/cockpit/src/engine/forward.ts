import * as tf from '@tensorflow/tfjs';
import type { CallContext } from './context.js';
import { individualLosses } from './losses.js';
import type { Chain } from './model/chain.js';
import type { ForwardContext } from './model/step.js';
import type { LossKind } from './types.js';

/** The logits of the chain; `probes[i]`, where given, is added to step i's output; `onInput` sees each step's input. */
export function forward(
  chain: Chain,
  x: tf.Tensor,
  ctx: ForwardContext,
  probes: readonly (tf.Tensor | undefined)[] = [],
  onInput: (a: tf.Tensor) => void = () => {},
): tf.Tensor2D {
  return chain.steps.reduce((h, step, i) => {
    onInput(h);
    const out = step.apply(h, ctx);
    const probe = probes[i];
    return probe ? tf.add(out, probe) : out;
  }, x) as tf.Tensor2D;
}

/** Output shape of every step for input shape `input`. */
export function stepShapes(chain: Chain, input: number[]): number[][] {
  const shapes: number[][] = [];
  chain.steps.reduce((shape, step) => {
    const out = step.outputShape(shape);
    shapes.push(out);
    return out;
  }, input);
  return shapes;
}

/** Everything one forward and backward pass of Σ_n ℓ_n yields. Tensors are owned by the caller (see dispose). */
export interface BackwardPass {
  /** Input of every step: [N, ...]. The tensors of the pass (not grads and outputGrads) live until dispose(). */
  inputs: tf.Tensor[];
  logits: tf.Tensor2D;
  losses: tf.Tensor1D;
  /** ∇L = (1/N) ∇Σℓ_n per parameter (empty when the pass was asked for output gradients only). */
  grads: tf.Tensor[];
  /** ∂Σℓ/∂(output of step i) = per-example output gradients, for the steps asked for. */
  outputGrads: (tf.Tensor | undefined)[];
  dispose(): void;
}

/**
 * One forward and one backward pass, with zero probes added to the outputs of the steps in `probeAt`: their
 * gradients are every example's output gradient (the examples do not interact), from a single backward pass.
 * Without `parameterGrads` the weight gradients are not computed at all (the tape skips their products).
 */
export function backwardPass(
  chain: Chain,
  loss: LossKind,
  x: tf.Tensor,
  targets: tf.Tensor,
  ctx: CallContext,
  probeAt: readonly boolean[],
  parameterGrads = true,
): BackwardPass {
  const shapes = stepShapes(chain, x.shape);
  const probes = chain.steps.map((_, i) => (probeAt[i] ? tf.zeros(shapes[i]!) : undefined));
  const params = parameterGrads ? chain.variables.map((v) => v.read()) : [];
  const inputs: tf.Tensor[] = [];
  let logits: tf.Tensor2D | undefined;
  let losses: tf.Tensor1D | undefined;
  const recorded = new Set<tf.Tensor>();
  const record = <T extends tf.Tensor>(t: T): T => {
    if (t !== x && !recorded.has(t)) recorded.add(tf.keep(t));
    return t;
  };
  const probed = probes.filter((p): p is tf.Tensor => p !== undefined);
  const all = tf.grads(() => {
    logits = record(forward(chain, x, ctx, probes, (a) => inputs.push(record(a))));
    losses = record(individualLosses(loss, logits, targets));
    return tf.sum(losses);
  })([...params, ...probed]);
  const n = x.shape[0]!;
  const grads = all.slice(0, params.length).map((g) => tf.div(g, n));
  let next = params.length;
  const outputGrads = probes.map((p) => (p ? all[next++] : undefined));
  tf.dispose([...probed, ...all.slice(0, params.length)]);
  return {
    inputs,
    logits: logits!,
    losses: losses!,
    grads,
    outputGrads,
    dispose: () => tf.dispose([...recorded]),
  };
}
