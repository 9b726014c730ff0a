// The 15 optimizers of Crowded Valley (Schmidt, Schneider & Hennig 2021) with its one-shot defaults and tuning
// spaces, and the registry that runners and the command line look optimizers up in.
import { AdaBelief } from './adabelief.js';
import { AdaBound } from './adabound.js';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import type { AdamSettings } from './adam.js';
import { Adam } from './adam.js';
import type { Resolved } from './hyperparameters.js';
import { betas, decayRate, defineOptimizer, epsilon, lr, momentum, num } from './hyperparameters.js';
import { Lookahead } from './lookahead.js';
import { Nadam } from './nadam.js';
import { RAdam } from './radam.js';
import { RmsProp } from './rmsprop.js';
import { MomentumSgd, PlainSgd } from './sgd.js';
import type { HyperparameterSpec, OptimizerSpec } from './types.js';

const adamSettings = (h: Resolved): AdamSettings => ({
  beta1: num(h, 'beta1'),
  beta2: num(h, 'beta2'),
  epsilon: num(h, 'epsilon'),
});

const adamLike = (lrDefault: number, epsilonDefault: number): HyperparameterSpec[] => [
  lr(lrDefault),
  ...betas(),
  epsilon(epsilonDefault),
];

const boundHyperparameters: HyperparameterSpec[] = [
  ...adamLike(1e-3, 1e-8),
  {
    name: 'final_lr',
    type: 'float',
    default: 0.1,
    tuning: { distribution: 'log-uniform', low: 1e-3, high: 0.5 },
    doc: 'the SGD learning rate both bounds converge to (scaled with the schedule)',
  },
  {
    name: 'gamma',
    type: 'float',
    default: 1e-3,
    tuning: { distribution: 'log-uniform', low: 1e-4, high: 0.1 },
    doc: 'convergence speed of the bounds',
  },
];

const lookaheadHyperparameters: HyperparameterSpec[] = [
  {
    name: 'alpha',
    type: 'float',
    default: 0.5,
    tuning: { distribution: 'log-uniform', low: 1e-4, high: 1 },
    doc: 'slow-weights step size: the fraction of the way to the fast weights',
  },
  {
    name: 'k',
    type: 'int',
    default: 5,
    tuning: { distribution: 'uniform', low: 1, high: 20 },
    doc: 'inner steps between slow-weight updates',
  },
];

const lookahead = (name: string, inner: OptimizerSpec, h: Resolved) => {
  const { alpha, k, ...innerValues } = h;
  return new Lookahead(name, inner.create(innerValues), alpha as number, k as number);
};

const SGD = defineOptimizer({
  name: 'SGD',
  folderName: 'GradientDescentOptimizer',
  doc: 'stochastic gradient descent: θ ← θ − lr·g',
  hyperparameters: [lr(1e-2)],
  build: (h) => new PlainSgd('SGD', num(h, 'lr')),
});

const Momentum = defineOptimizer({
  name: 'Momentum',
  folderName: 'MomentumOptimizer',
  doc: 'SGD with heavy-ball momentum: v ← ρv + g; θ ← θ − lr·v',
  hyperparameters: [lr(1e-2), momentum()],
  build: (h) => new MomentumSgd('Momentum', num(h, 'lr'), num(h, 'momentum'), false),
});

const Nesterov = defineOptimizer({
  name: 'Nesterov',
  folderName: 'NAGOptimizer',
  doc: 'SGD with Nesterov momentum: v ← ρv + g; θ ← θ − lr·(g + ρv)',
  hyperparameters: [lr(1e-2), momentum()],
  build: (h) => new MomentumSgd('Nesterov', num(h, 'lr'), num(h, 'momentum'), true),
});

const AdamSpec = defineOptimizer({
  name: 'Adam',
  folderName: 'AdamOptimizer',
  doc: 'Adam (Kingma & Ba 2015): bias-corrected first and second moment estimates',
  hyperparameters: adamLike(1e-3, 1e-8),
  build: (h) => new Adam('Adam', num(h, 'lr'), adamSettings(h), false),
});

const AMSGrad = defineOptimizer({
  name: 'AMSGrad',
  folderName: 'AMSGrad',
  doc: 'AMSGrad (Reddi et al. 2018): Adam with the running maximum of the second moment',
  hyperparameters: adamLike(1e-2, 1e-8),
  build: (h) => new Adam('AMSGrad', num(h, 'lr'), adamSettings(h), true),
});

const NadamSpec = defineOptimizer({
  name: 'Nadam',
  folderName: 'NadamOptimizer',
  doc: 'Nadam (Dozat 2016): Adam with Nesterov momentum and a momentum warm-up schedule',
  hyperparameters: adamLike(1e-3, 1e-7),
  build: (h) => new Nadam('Nadam', num(h, 'lr'), adamSettings(h)),
});

const RAdamSpec = defineOptimizer({
  name: 'RAdam',
  folderName: 'RAdamOptimizer',
  doc: 'RAdam (Liu et al. 2020): Adam with a rectified adaptive learning rate (momentum SGD while variance is untrusted)',
  hyperparameters: adamLike(1e-3, 1e-7),
  build: (h) => new RAdam('RAdam', num(h, 'lr'), adamSettings(h)),
});

const AdaBeliefSpec = defineOptimizer({
  name: 'AdaBelief',
  folderName: 'AdaBeliefOptimizer',
  doc: "AdaBelief (Zhuang et al. 2020): Adam that scales by the variance of the gradient around its mean ('belief')",
  hyperparameters: adamLike(1e-3, 1e-14),
  build: (h) => new AdaBelief('AdaBelief', num(h, 'lr'), adamSettings(h)),
});

const bounded = (name: string, folderName: string, doc: string, amsbound: boolean) =>
  defineOptimizer({
    name,
    folderName,
    doc,
    hyperparameters: boundHyperparameters,
    build: (h) =>
      new AdaBound(name, num(h, 'lr'), { ...adamSettings(h), finalLr: num(h, 'final_lr'), gamma: num(h, 'gamma'), amsbound }),
  });

const AdaBoundSpec = bounded(
  'AdaBound',
  'AdaBoundOptimizer',
  'AdaBound (Luo et al. 2019): Adam whose step sizes are clipped to bounds that converge to SGD',
  false,
);

const AMSBound = bounded('AMSBound', 'AMSBoundOptimizer', 'AMSBound (Luo et al. 2019): AdaBound on the running maximum of the second moment', true);

const AdagradSpec = defineOptimizer({
  name: 'Adagrad',
  folderName: 'AdagradOptimizer',
  doc: 'Adagrad (Duchi et al. 2011): steps scaled by the root of the summed squared gradients',
  hyperparameters: [
    lr(1e-2),
    {
      name: 'initial_accumulator_value',
      type: 'float',
      default: 0.1,
      doc: 'starting value of the sum of squared gradients',
    },
  ],
  build: (h) => new Adagrad('Adagrad', num(h, 'lr'), num(h, 'initial_accumulator_value')),
});

const AdadeltaSpec = defineOptimizer({
  name: 'Adadelta',
  folderName: 'AdadeltaOptimizer',
  doc: 'Adadelta (Zeiler 2012): steps scaled by the ratio of running RMS of updates and of gradients',
  hyperparameters: [
    lr(1e-3),
    decayRate('rho', 0.95, 'decay of the running averages of squared gradients and updates'),
    epsilon(1e-8),
  ],
  build: (h) => new Adadelta('Adadelta', num(h, 'lr'), num(h, 'rho'), num(h, 'epsilon')),
});

const RMSProp = defineOptimizer({
  name: 'RMSProp',
  folderName: 'RMSPropOptimizer',
  doc: 'RMSProp (Tieleman & Hinton 2012): steps scaled by a running RMS of the gradients',
  hyperparameters: [
    lr(1e-3),
    decayRate('decay', 0.9, 'decay of the running average of squared gradients'),
    { name: 'momentum', type: 'float', default: 0, doc: 'momentum on the scaled step (0: none)' },
    epsilon(1e-10),
    { name: 'centered', type: 'bool', default: false, doc: 'divide by the running variance instead of the second moment' },
  ],
  build: (h) =>
    new RmsProp('RMSProp', num(h, 'lr'), {
      decay: num(h, 'decay'),
      momentum: num(h, 'momentum'),
      epsilon: num(h, 'epsilon'),
      centered: h.centered as boolean,
    }),
});

const LookaheadMomentum = defineOptimizer({
  name: 'LookaheadMomentum',
  folderName: 'LookaheadOptimizerMBGDMomentum',
  doc: 'Lookahead (Zhang et al. 2019) around SGD with heavy-ball momentum',
  hyperparameters: [...Momentum.hyperparameters, ...lookaheadHyperparameters],
  build: (h) => lookahead('LookaheadMomentum', Momentum, h),
});

const LookaheadRAdam = defineOptimizer({
  name: 'LookaheadRAdam',
  folderName: 'LookaheadOptimizerRAdam',
  doc: 'Lookahead (Zhang et al. 2019) around RAdam',
  hyperparameters: [...RAdamSpec.hyperparameters, ...lookaheadHyperparameters],
  build: (h) => lookahead('LookaheadRAdam', RAdamSpec, h),
});

/** The Crowded Valley optimizers, by name. */
export const OPTIMIZERS: Readonly<Record<string, OptimizerSpec>> = Object.freeze(
  Object.fromEntries(
    [
      SGD,
      Momentum,
      Nesterov,
      AdamSpec,
      AMSGrad,
      NadamSpec,
      RAdamSpec,
      AdaBeliefSpec,
      AdaBoundSpec,
      AMSBound,
      AdagradSpec,
      AdadeltaSpec,
      RMSProp,
      LookaheadMomentum,
      LookaheadRAdam,
    ].map((spec) => [spec.name, spec]),
  ),
);

const registered = new Map<string, OptimizerSpec>(Object.entries(OPTIMIZERS));

/** Adds an optimizer that runners and `deepobs optimizers` will know by `spec.name`. Names are unique. */
export function registerOptimizer(spec: OptimizerSpec): void {
  if (registered.has(spec.name)) throw new Error(`an optimizer named "${spec.name}" is already registered`);
  registered.set(spec.name, spec);
}

/** The optimizer called `name` (case-sensitive, as in Crowded Valley), or an error listing the known names. */
export function getOptimizer(name: string): OptimizerSpec {
  const spec = registered.get(name);
  if (!spec) {
    const near = [...registered.keys()].find((n) => n.toLowerCase() === name.toLowerCase());
    const hint = near ? ` Did you mean "${near}"?` : '';
    throw new Error(`unknown optimizer "${name}".${hint} Known optimizers: ${[...registered.keys()].join(', ')}`);
  }
  return spec;
}

/** Every registered optimizer: the 15 built-ins in Crowded Valley's order, then custom ones in registration order. */
export function listOptimizers(): OptimizerSpec[] {
  return [...registered.values()];
}
