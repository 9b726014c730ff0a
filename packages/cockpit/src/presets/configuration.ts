// Cockpit's configuration presets (cockpit.utils.configuration): one shared schedule, every quantity with its
// constructor defaults (curvature diag_h, GradHist1d 100 bins on (−2, 2), GradHist2d (40, 50) bins on
// ((−1, 1), (−2, 2)) without adaptation, HessMaxEV by Lanczos with the power iteration's answer and stopping rule).
import {
  Alpha, CockpitQuantity, type Curvature, Distance, GradHist1d, GradHist2d, GradNorm, HessMaxEV, HessTrace, InnerTest, Loss, NormTest,
  OrthoTest, TICDiag, UpdateSize,
} from '../quantities/index.js';
import { linear, type TrackSchedule } from '../schedules/index.js';

export const PRESETS = ['economy', 'business', 'full'] as const;
export type Preset = (typeof PRESETS)[number];

type Make = (schedule: TrackSchedule, curvature: Curvature) => CockpitQuantity;

const ECONOMY: Make[] = [
  (s) => new Alpha(s),
  (s) => new Distance(s),
  (s) => new GradHist1d(s),
  (s) => new GradNorm(s),
  (s) => new InnerTest(s),
  (s) => new Loss(s),
  (s) => new NormTest(s),
  (s) => new OrthoTest(s),
  (s) => new UpdateSize(s),
];
const BUSINESS: Make[] = [...ECONOMY, (s, c) => new TICDiag(s, c), (s, c) => new HessTrace(s, c)];
const FULL: Make[] = [...BUSINESS, (s) => new HessMaxEV(s), (s) => new GradHist2d(s)];
const MAKERS: Record<Preset, Make[]> = { economy: ECONOMY, business: BUSINESS, full: FULL };

export function isPreset(label: string): label is Preset {
  return (PRESETS as readonly string[]).includes(label);
}

/**
 * The preset's quantities in the original's order, all on `trackSchedule` (default: every step). `curvature` is
 * that of TICDiag and HessTrace: the original's diag_h by default; diag_ggn_mc (one sampled column instead of K − 1
 * propagated ones) is what the original's experiments used to keep business and full cheap.
 */
export function configuration(label: Preset, trackSchedule: TrackSchedule = linear(1), curvature: Curvature = 'diag_h'): CockpitQuantity[] {
  if (!isPreset(label)) throw new Error(`unknown Cockpit configuration "${String(label)}"; expected one of ${PRESETS.join(', ')}`);
  return MAKERS[label].map((make) => make(trackSchedule, curvature));
}
