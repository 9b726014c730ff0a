import { TICDiag, Time, configuration, linear, type CockpitQuantity } from '../../src';

const names = (qs: CockpitQuantity[]) => qs.map((q) => q.name);
const ECONOMY = ['Alpha', 'Distance', 'GradHist1d', 'GradNorm', 'InnerTest', 'Loss', 'NormTest', 'OrthoTest', 'UpdateSize'];

test("the presets hold the original's quantities in its order", () => {
  expect(names(configuration('economy'))).toEqual(ECONOMY);
  expect(names(configuration('business'))).toEqual([...ECONOMY, 'TICDiag', 'HessTrace']);
  expect(names(configuration('full'))).toEqual([...ECONOMY, 'TICDiag', 'HessTrace', 'HessMaxEV', 'GradHist2d']);
});

test("with the original's constructor defaults, on one shared schedule (every step unless given)", () => {
  const full = configuration('full');
  const options = Object.fromEntries(full.map((q) => [q.name, q.options()]));
  expect(options.TICDiag).toEqual({ curvature: 'diag_h', epsilon: 1e-7 });
  expect(options.HessTrace).toEqual({ curvature: 'diag_h' });
  expect(options.GradHist1d).toEqual({ bins: 100, range: [-2, 2], adapt: null });
  expect(options.GradHist2d).toEqual({ bins: [40, 50], range: [[-1, 1], [-2, 2]], adapt: [null, null], keep_individual: false });
  // Deliberate deviation: Lanczos for the same eigenvalue as the original's power iteration, with fewer HVPs.
  expect(options.HessMaxEV).toEqual({ use_power: false, method: 'lanczos', warm_start: true });
  expect(full.every((q) => q.schedule(0) && q.schedule(7))).toBe(true);
  const sparse = configuration('economy', linear(10));
  expect(sparse.every((q) => q.schedule(20) && !q.schedule(21))).toBe(true);
});

test('the curvature of TICDiag and HessTrace can be chosen for a preset, and is checked', () => {
  const options = (qs: CockpitQuantity[]) => Object.fromEntries(qs.map((q) => [q.name, q.options()]));
  const cheap = options(configuration('business', linear(1), 'diag_ggn_mc'));
  expect(cheap.TICDiag).toEqual({ curvature: 'diag_ggn_mc', epsilon: 1e-7 });
  expect(cheap.HessTrace).toEqual({ curvature: 'diag_ggn_mc' });
  expect(() => configuration('full', linear(1), 'diag_x' as 'diag_h')).toThrow(/TICDiag: unknown curvature "diag_x"/);
});

test('an unknown preset or curvature is refused by name', () => {
  expect(() => configuration('first' as 'full')).toThrow(/unknown Cockpit configuration "first"/);
  expect(() => new TICDiag(linear(1), 'diag_x' as 'diag_h')).toThrow(/TICDiag: unknown curvature "diag_x"; expected one of diag_h, diag_ggn_exact, diag_ggn_mc/);
});

test('Time is the wall clock in seconds', async () => {
  const before = Date.now() / 1000;
  const [record] = await new Time(linear(1)).track();
  expect(record.scalar).toBeGreaterThanOrEqual(before);
  expect(record.scalar).toBeLessThanOrEqual(Date.now() / 1000);
});
