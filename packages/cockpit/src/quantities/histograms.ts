// Histograms of individual-gradient elements. Counting happens where the tensors live (binCounts), one parameter
// at a time, so only the counts are downloaded.
import * as tf from '@tensorflow/tfjs';
import type { JsonValue, Quantity as QuantityRecord } from '@flightdeck/core';
import type { StatsRequest } from '../engine/types.js';
import type { TrackSchedule } from '../schedules/index.js';
import type { BinAdaptation } from './bin-adaptation.js';
import { type Axis, binCounts, type JointAxes, type Range, sameAxis, sameJointAxes } from './bin-counts.js';
import { CockpitQuantity, type StepData, type StepPlan } from './quantity.js';
import { download, read, requireStat } from './records.js';

/** numpy.linspace(lo, hi, bins + 1). */
export function binEdges([lo, hi]: Range, bins: number): number[] {
  const step = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * step));
}

/** Counts of every value, torch.histc's rule. */
export function histc(values: tf.Tensor, range: Range, bins: number): tf.Tensor1D {
  return binCounts(values, { range, bins, clamp: 'edges' });
}

/**
 * Cockpit's 2-D rule: each coordinate clamped to [lo + w/2, hi − w/2] (outliers land in the centres of the edge
 * bins), bin = trunc((v − lo)/w). `x` is [N, …shape], `y` has the parameter's shape and pairs with every example.
 */
export function histogram2d(x: tf.Tensor, y: tf.Tensor, xRange: Range, yRange: Range, [xBins, yBins]: readonly [number, number]): tf.Tensor1D {
  return binCounts(x, { range: xRange, bins: xBins, clamp: 'centres' }, { y, axis: { range: yRange, bins: yBins, clamp: 'centres' } });
}

/** What the adaptations scheduled at `step` need from the engine. */
function adaptationRequest(adapt: readonly (BinAdaptation | undefined)[], step: number): StatsRequest {
  return Object.assign({}, ...adapt.map((a) => (a?.schedule(step) ? a.statsRequest : {}))) as StatsRequest;
}

export interface GradHist1dOptions {
  bins?: number;
  range?: Range;
  adapt?: BinAdaptation;
}

/** Histogram of every individual-gradient element g_nj, all parameters together. */
export class GradHist1d extends CockpitQuantity {
  readonly name = 'GradHist1d';
  readonly bins: number;
  readonly initialRange: Range;
  private range: Range;
  private readonly adapt: BinAdaptation | undefined;

  constructor(schedule: TrackSchedule, { bins = 100, range = [-2, 2], adapt }: GradHist1dOptions = {}) {
    super(schedule);
    this.bins = bins;
    this.initialRange = range;
    this.range = range;
    this.adapt = adapt;
  }

  override isActive(step: number): boolean {
    return this.schedule(step) || (this.adapt?.schedule(step) ?? false);
  }

  /** torch.histc's rule on the current range. */
  private get axis(): Axis {
    return { range: this.range, bins: this.bins, clamp: 'edges' };
  }

  /** The counts from the engine (which need not materialise the gradients), or binned here from the gradients. */
  override request(plan: StepPlan): StatsRequest {
    return {
      ...(this.schedule(plan.step) ? { gradientHistogram: this.axis } : {}),
      ...adaptationRequest([this.adapt], plan.step),
    };
  }

  async track(data: StepData): Promise<QuantityRecord[]> {
    const out: QuantityRecord[] = [];
    if (this.schedule(data.step)) {
      out.push({ name: this.name, histogram1d: { edges: binEdges(this.range, this.bins), counts: await this.counts(data) } });
    }
    if (this.adapt?.schedule(data.step)) this.range = await this.adapt.range(data, this.name);
    return out;
  }

  private async counts(data: StepData): Promise<number[]> {
    const fromEngine = data.stats.gradientHistogram;
    if (fromEngine === undefined || !sameAxis(fromEngine.axis, this.axis)) {
      return download(tf.tidy(() => tf.addN(requireStat(data, 'individualGradients', this.name).map((g) => histc(g, this.range, this.bins)))));
    }
    return 'pending' in fromEngine ? Array.from(await fromEngine.pending) : read(fromEngine.counts);
  }

  override options(): Record<string, JsonValue> {
    return { bins: this.bins, range: [...this.initialRange], adapt: this.adapt?.describe() ?? null };
  }
}

export interface GradHist2dOptions {
  bins?: readonly [number, number];
  range?: readonly [Range, Range];
  /** Policies for the gradient (x) and parameter (y) axes. */
  adapt?: readonly [BinAdaptation | undefined, BinAdaptation | undefined];
  /** Also emit each parameter's own histogram (records with `param` set), for the layer-wise view. */
  keepIndividual?: boolean;
}

/** Joint histogram of (g_nj, θ_j) over every example n and coordinate j. */
export class GradHist2d extends CockpitQuantity {
  readonly name = 'GradHist2d';
  readonly bins: readonly [number, number];
  readonly keepIndividual: boolean;
  readonly initialRanges: readonly [Range, Range];
  private ranges: [Range, Range];
  private readonly adapt: readonly [BinAdaptation | undefined, BinAdaptation | undefined];

  constructor(schedule: TrackSchedule, { bins = [40, 50], range = [[-1, 1], [-2, 2]], adapt = [undefined, undefined], keepIndividual = false }: GradHist2dOptions = {}) {
    super(schedule);
    this.bins = bins;
    this.initialRanges = range;
    this.ranges = [range[0], range[1]];
    this.adapt = adapt;
    this.keepIndividual = keepIndividual;
  }

  override isActive(step: number): boolean {
    return this.schedule(step) || this.adapt.some((a) => a?.schedule(step) ?? false);
  }

  /** Cockpit's 2-D rule on the current ranges. */
  private get axes(): JointAxes {
    const [[xRange, yRange], [xBins, yBins]] = [this.ranges, this.bins];
    return { x: { range: xRange, bins: xBins, clamp: 'centres' }, y: { range: yRange, bins: yBins, clamp: 'centres' } };
  }

  /** The counts per parameter from the engine (which need not materialise the gradients), or binned here from the gradients. */
  override request(plan: StepPlan): StatsRequest {
    return { ...adaptationRequest(this.adapt, plan.step), ...(this.schedule(plan.step) ? { gradientHistogram2d: this.axes } : {}) };
  }

  async track(data: StepData): Promise<QuantityRecord[]> {
    const out = this.schedule(data.step) ? await this.histograms(data) : [];
    const adapted = await Promise.all(this.adapt.map((a, axis) => (a?.schedule(data.step) ? a.range(data, this.name) : this.ranges[axis])));
    this.ranges = [adapted[0], adapted[1]];
    return out;
  }

  private async histograms(data: StepData): Promise<QuantityRecord[]> {
    const [xRange, yRange] = this.ranges;
    const fromEngine = data.stats.gradientHistogram2d;
    const perParam = fromEngine !== undefined && sameJointAxes(fromEngine.axes, this.axes)
      ? fromEngine.counts.map((c) => tf.clone(c))
      : requireStat(data, 'individualGradients', this.name).map((g, p) => histogram2d(g, data.theta[p], xRange, yRange, this.bins));
    const record = async (counts: tf.Tensor, param?: string): Promise<QuantityRecord> => ({
      name: this.name,
      ...(param === undefined ? {} : { param }),
      histogram2d: { xEdges: binEdges(xRange, this.bins[0]), yEdges: binEdges(yRange, this.bins[1]), counts: await download(counts) },
    });
    const total = await record(tf.addN(perParam));
    if (!this.keepIndividual) {
      perParam.forEach((c) => c.dispose());
      return [total];
    }
    return [total, ...(await Promise.all(perParam.map((c, p) => record(c, data.params[p].name))))];
  }

  override options(): Record<string, JsonValue> {
    return {
      bins: [...this.bins],
      range: this.initialRanges.map((r) => [...r]),
      adapt: this.adapt.map((a) => a?.describe() ?? null),
      keep_individual: this.keepIndividual,
    };
  }
}
