// Hyperparameter specs shared by several optimizers (names as in the Crowded Valley result folders, except the
// learning rate, which is "lr" everywhere), and the validation every optimizer's create() goes through.
import type { HyperparameterSpec, HyperparameterValue, Optimizer, OptimizerSpec } from './types.js';

/** The learning rate: tuned log-uniformly in [1e-4, 1] by Crowded Valley for every optimizer. */
export const lr = (defaultValue: number): HyperparameterSpec => ({
  name: 'lr',
  type: 'float',
  default: defaultValue,
  tuning: { distribution: 'log-uniform', low: 1e-4, high: 1 },
  doc: 'learning rate (the base value; a schedule multiplies it per epoch)',
});

/** A decay rate close to 1 (momentum, Adadelta ρ, RMSProp decay): tuned as 1 − LU[1e-4, 1]. */
export const decayRate = (name: string, defaultValue: number, doc: string): HyperparameterSpec => ({
  name,
  type: 'float',
  default: defaultValue,
  tuning: { distribution: 'one-minus-log-uniform', low: 1e-4, high: 1 },
  doc,
});

export const momentum = (defaultValue = 0.99): HyperparameterSpec =>
  decayRate('momentum', defaultValue, 'momentum ρ: the velocity decays by this factor per step');

/** Adam-family moment decays: β1 ~ U[0.5, 0.999], β2 ~ U[0.8, 0.999] in Crowded Valley. */
export const betas = (): HyperparameterSpec[] => [
  {
    name: 'beta1',
    type: 'float',
    default: 0.9,
    tuning: { distribution: 'uniform', low: 0.5, high: 0.999 },
    doc: 'decay of the first-moment (mean) estimate',
  },
  {
    name: 'beta2',
    type: 'float',
    default: 0.999,
    tuning: { distribution: 'uniform', low: 0.8, high: 0.999 },
    doc: 'decay of the second-moment estimate',
  },
];

/** Never tuned in Crowded Valley. */
export const epsilon = (defaultValue: number): HyperparameterSpec => ({
  name: 'epsilon',
  type: 'float',
  default: defaultValue,
  doc: 'added to the denominator for numerical stability',
});

export type Resolved = Record<string, HyperparameterValue>;

/** A hyperparameter value the resolver has already checked to be a number. */
export function num(values: Resolved, name: string): number {
  return values[name] as number;
}

function checkValue(optimizer: string, spec: HyperparameterSpec, value: unknown): HyperparameterValue {
  const where = `${optimizer} hyperparameter "${spec.name}"`;
  if (spec.type === 'bool') {
    if (typeof value !== 'boolean') throw new Error(`${where} must be true or false, got ${String(value)}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${where} must be a finite number, got ${String(value)}`);
  }
  if (spec.type === 'int' && !Number.isInteger(value)) throw new Error(`${where} must be an integer, got ${value}`);
  return value;
}

/**
 * The full set of hyperparameters for `spec`: given values checked by type, defaults for the rest. An unknown
 * name or a missing value without default is an error that lists what the optimizer accepts.
 */
export function resolveHyperparameters(spec: OptimizerSpec, given: Record<string, unknown> = {}): Resolved {
  const known = new Set(spec.hyperparameters.map((h) => h.name));
  const accepted = () => spec.hyperparameters.map((h) => h.name).join(', ');
  for (const name of Object.keys(given)) {
    if (!known.has(name) && given[name] !== undefined) {
      throw new Error(`${spec.name} has no hyperparameter "${name}"; it accepts ${accepted()}`);
    }
  }
  const resolved: Resolved = {};
  for (const h of spec.hyperparameters) {
    const value = given[h.name] ?? h.default;
    if (value === undefined) throw new Error(`${spec.name} needs a value for "${h.name}" (${h.doc}); it has no default`);
    resolved[h.name] = checkValue(spec.name, h, value);
  }
  return resolved;
}

/**
 * An OptimizerSpec whose create() validates and completes the hyperparameters before `build` sees them, so
 * `build` may read them with num()/as boolean without checks.
 */
export function defineOptimizer(
  definition: Omit<OptimizerSpec, 'create'> & { build(values: Resolved): Optimizer },
): OptimizerSpec {
  const { build, ...spec } = definition;
  const full: OptimizerSpec = { ...spec, create: (given) => build(resolveHyperparameters(full, given)) };
  return full;
}
