// The four learning-rate schedules of Crowded Valley (reference §5). The study encodes each as per-epoch factors
// for epochs 1..N in DeepOBS's LR-schedule runner, which trains epoch 0 at the base learning rate whatever the
// schedule says; factor() reproduces that (it matters for ltr, whose warm-up therefore starts at epoch 1).
import type { LrScheduleSpec } from './types.js';

function checkEpoch(name: string, epoch: number, numEpochs: number): void {
  if (!Number.isInteger(numEpochs) || numEpochs < 1) {
    throw new Error(`${name} schedule: numEpochs must be a positive integer, got ${numEpochs}`);
  }
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > numEpochs) {
    throw new Error(`${name} schedule: epoch must be an integer in [0, ${numEpochs}], got ${epoch}`);
  }
}

/** A schedule from its curve for epochs 1..N; epoch 0 trains at the base learning rate. */
function schedule(name: string, doc: string, curve: (epoch: number, numEpochs: number) => number): LrScheduleSpec {
  return {
    name,
    doc,
    factor(epoch, numEpochs) {
      checkEpoch(name, epoch, numEpochs);
      return epoch === 0 ? 1 : curve(epoch, numEpochs);
    },
  };
}

const halfCosine = (position: number, length: number) => 0.5 * (1 + Math.cos((Math.PI * position) / length));

/** Length of the first cosine_wr cycle; each later cycle is twice as long as the one before. */
export const RESTART_FIRST_CYCLE = 10;

/** Warm-up and cool-down length of ltr: a tenth of the run (Crowded Valley ran only multiples of 10 epochs). */
export const trapezoidRamp = (numEpochs: number): number => Math.max(1, Math.floor(numEpochs / 10));

export const none = schedule('none', 'constant learning rate', () => 1);

export const cosine = schedule('cosine', 'cosine decay: ½(1 + cos(πe/N)) in epoch e of N', (e, n) => halfCosine(e, n));

export const cosineWithRestarts = schedule(
  'cosine_wr',
  'cosine decay with warm restarts: cycles of 10, 20, 40, … epochs, each from 1 down towards 0',
  (e) => {
    let start = 0;
    let length = RESTART_FIRST_CYCLE;
    while (e >= start + length) {
      start += length;
      length *= 2;
    }
    return halfCosine(e - start, length);
  },
);

export const longTrapezoidal = schedule(
  'ltr',
  'long trapezoidal: linear warm-up over the first 10% of epochs (e/w), 1 until 90%, linear decay 1 − j/(w+1) over the last 10%',
  (e, n) => {
    const w = trapezoidRamp(n);
    if (e <= w) return e / w;
    if (e <= n - w) return 1;
    return 1 - (e - (n - w)) / (w + 1);
  },
);
