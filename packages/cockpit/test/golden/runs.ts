// The quantities of the four golden runs, configured as the golden README describes them.
import {
  CABS, EarlyStopping, GradAbsMax, GradHist1d, GradHist2d, HessMaxEV, HessTrace, MeanGSNR, ParamAbsMax, Parameters,
  TICDiag, TICTrace, configuration, linear, type CockpitQuantity,
} from '../../src/index';
import type { RunName } from './golden';

export function runQuantities(run: RunName): CockpitQuantity[] {
  const every = linear(1);
  switch (run) {
    case 'full':
      return configuration('full', every);
    case 'extras':
      return [
        new TICTrace(every, 'diag_h'),
        new MeanGSNR(every, 1e-5),
        new CABS(every),
        new EarlyStopping(every, 1e-5),
        new Parameters(every),
        new HessMaxEV(every, { usePower: false }),
        new GradHist1d(every, { bins: 20, range: [-2, 2], adapt: new GradAbsMax(linear(1), 0.1) }),
        new GradHist2d(every, {
          bins: [8, 10],
          range: [[-1, 1], [-2, 2]],
          adapt: [new GradAbsMax(linear(1), 0.1), new ParamAbsMax(linear(1), 0.1)],
          keepIndividual: true,
        }),
      ];
    case 'ggn_exact':
    case 'mc': {
      const curvature = run === 'mc' ? 'diag_ggn_mc' : 'diag_ggn_exact';
      return [new HessTrace(every, curvature), new TICDiag(every, curvature), new TICTrace(every, curvature)];
    }
  }
}
