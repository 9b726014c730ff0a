// The schedules against (1) the per-epoch factors Crowded Valley published in its result files, (2) PyTorch's
// CosineAnnealingLR and CosineAnnealingWarmRestarts stepped once per epoch, (3) their closed forms.
import { spawnSync } from 'node:child_process';
import { LR_SCHEDULES, getLrSchedule, lrScheduleTrainingParams } from '../../src/schedules/index.js';

// lr_sched_factors of SirRob1997/Crowded-Valley---Results, results_main/oneshot/<schedule>/mnist_vae/AdamOptimizer/
// (num_epochs 50; seed 42 for cosine_wr, seed 44 for ltr).
const PUBLISHED_COSINE_WR_50 = [
  0.9755282581475768, 0.9045084971874737, 0.7938926261462366, 0.6545084971874737, 0.5, 0.34549150281252633,
  0.2061073738537635, 0.09549150281252633, 0.024471741852423234, 1, 0.9938441702975689, 0.9755282581475768,
  0.9455032620941839, 0.9045084971874737, 0.8535533905932737, 0.7938926261462366, 0.7269952498697734,
  0.6545084971874737, 0.5782172325201155, 0.5, 0.42178276747988447, 0.34549150281252633, 0.2730047501302266,
  0.2061073738537635, 0.14644660940672627, 0.09549150281252633, 0.054496737905816106, 0.024471741852423234,
  0.00615582970243117, 1, 0.998458666866564, 0.9938441702975689, 0.9861849601988383, 0.9755282581475768,
  0.9619397662556434, 0.9455032620941839, 0.9263200821770461, 0.9045084971874737, 0.8802029828000155,
  0.8535533905932737, 0.8247240241650917, 0.7938926261462366, 0.7612492823579744, 0.7269952498697734,
  0.6913417161825449, 0.6545084971874737, 0.6167226819279528, 0.5782172325201155, 0.5392295478639225, 0.5,
];
const PUBLISHED_LTR_50 = [
  0.2, 0.4, 0.6, 0.8, ...Array<number>(41).fill(1), 0.8333333333333334, 0.6666666666666667, 0.5, 0.33333333333333337,
  0.16666666666666663,
];
// ... and results_main/oneshot/ltr/quadratic_deep/AdamOptimizer/ (num_epochs 100, seed 44).
const PUBLISHED_LTR_100 = [
  0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, ...Array<number>(81).fill(1), 0.9090909090909091, 0.8181818181818181,
  0.7272727272727273, 0.6363636363636364, 0.5454545454545454, 0.4545454545454546, 0.36363636363636365,
  0.2727272727272727, 0.18181818181818177, 0.09090909090909094,
];

function expectAllClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!)));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const TORCH_SCRIPT = `
import json, sys, torch
out = {}
for n in json.load(sys.stdin):
    for key, make in (("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=n)),
                      ("cosine_wr", lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2))):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = make(opt)
        lrs = []
        for epoch in range(n):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        out[f"{key}/{n}"] = lrs
print(json.dumps(out))
`;

describe('learning-rate schedules', () => {
  const factors = (name: string, n: number) => Array.from({ length: n }, (_, e) => getLrSchedule(name).factor(e, n));

  it('reproduce the factors Crowded Valley published for epochs 1..N', () => {
    expectAllClose(lrScheduleTrainingParams(LR_SCHEDULES.cosine_wr!, 50).lr_sched_factors!, PUBLISHED_COSINE_WR_50, 1e-15);
    expectAllClose(lrScheduleTrainingParams(LR_SCHEDULES.ltr!, 50).lr_sched_factors!, PUBLISHED_LTR_50, 1e-15);
    expectAllClose(lrScheduleTrainingParams(LR_SCHEDULES.ltr!, 100).lr_sched_factors!, PUBLISHED_LTR_100, 1e-15);
    expect(lrScheduleTrainingParams(LR_SCHEDULES.ltr!, 50).lr_sched_epochs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(lrScheduleTrainingParams(LR_SCHEDULES.none!, 50)).toEqual({});
  });

  it('match PyTorch’s CosineAnnealingLR(T_max = N) and CosineAnnealingWarmRestarts(T_0 = 10, T_mult = 2) per epoch', () => {
    const epochs = [50, 100, 160];
    const run = spawnSync('/usr/bin/python3', ['-c', TORCH_SCRIPT], { input: JSON.stringify(epochs), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`PyTorch reference failed: ${run.error?.message ?? run.stderr}`);
    const torch = JSON.parse(run.stdout) as Record<string, number[]>;
    for (const n of epochs) {
      expectAllClose(factors('cosine', n), torch[`cosine/${n}`]!, 1e-12);
      expectAllClose(factors('cosine_wr', n), torch[`cosine_wr/${n}`]!, 1e-12);
    }
  });

  it('follow their closed forms', () => {
    const n = 40;
    expect(factors('none', n)).toEqual(Array<number>(n).fill(1));
    factors('cosine', n).forEach((f, e) => expect(f).toBeCloseTo(0.5 * (1 + Math.cos((Math.PI * e) / n)), 15));
    // cosine_wr restarts at 10, 30, 70 with factor 1, and halves at the middle of each cycle.
    const wr = factors('cosine_wr', 80);
    expect([wr[10], wr[30], wr[70]]).toEqual([1, 1, 1]);
    expect([wr[5], wr[20], wr[50]].map((f) => Number(f!.toFixed(12)))).toEqual([0.5, 0.5, 0.5]);
    // ltr: epoch 0 at the base rate (DeepOBS runner), warm-up e/w, plateau, decay 1 − j/(w + 1).
    const ltr = factors('ltr', n);
    expect(ltr.slice(0, 6)).toEqual([1, 0.25, 0.5, 0.75, 1, 1]);
    expect(ltr.slice(36)).toEqual([1, 1 - 1 / 5, 1 - 2 / 5, 1 - 3 / 5]);
  });

  it('reject bad epochs and unknown names, and accept the long names', () => {
    expect(() => getLrSchedule('cosine').factor(11, 10)).toThrow(/epoch must be an integer in \[0, 10\], got 11/);
    expect(() => getLrSchedule('cosine').factor(1.5, 10)).toThrow(/got 1.5/);
    expect(() => getLrSchedule('ltr').factor(0, 0)).toThrow(/numEpochs must be a positive integer/);
    expect(() => getLrSchedule('step')).toThrow(/unknown learning-rate schedule "step"; known: none, cosine, cosine_wr, ltr/);
    expect(getLrSchedule('trapezoidal')).toBe(LR_SCHEDULES.ltr);
    expect(Object.values(LR_SCHEDULES).every((s) => s.doc.length > 10)).toBe(true);
  });
});
