// Cockpit's tracking schedules (cockpit.utils.schedules): functions from a global step to "track it or not".
import type { Schedule } from '@flightdeck/core';
import { ScheduleKind } from '@flightdeck/core';

/** Decides whether a quantity is computed at a step; `spec` describes it for the run's InstrumentConfig. */
export interface TrackSchedule {
  (step: number): boolean;
  readonly spec?: Schedule;
}

/**
 * Every `interval` steps starting at `offset`: tracks n iff n − offset ≥ 0 and (n − offset) mod interval = 0.
 * A negative offset works as in the original: linear(3, −1) tracks 2, 5, 8, …
 */
export function linear(interval: number, offset = 0): TrackSchedule {
  if (!Number.isInteger(interval) || interval < 1) throw new RangeError(`linear: interval must be a positive integer, got ${interval}`);
  if (!Number.isInteger(offset)) throw new RangeError(`linear: offset must be an integer, got ${offset}`);
  const track = (step: number): boolean => step - offset >= 0 && (step - offset) % interval === 0;
  // Steps are ≥ 0, so a negative offset is the same set as its non-negative residue (the schema has no sign).
  const normalised = offset >= 0 ? offset : ((offset % interval) + interval) % interval;
  return Object.assign(track, { spec: { kind: ScheduleKind.LINEAR, interval, offset: normalised } });
}

/**
 * The steps {trunc(base^x) : x ∈ linspace(start, end, steps)}, plus step 0 when `init`. Duplicates collapse:
 * logarithmic(0, 1, 4, 10, false) tracks {1, 2, 4, 10}.
 */
export function logarithmic(start: number, end: number, steps = 300, base = 10, init = true): TrackSchedule {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`logarithmic: steps must be a positive integer, got ${steps}`);
  const tracked = new Set<number>(logarithmicSteps(start, end, steps, base));
  if (init) tracked.add(0);
  const track = (step: number): boolean => tracked.has(step);
  return Object.assign(track, { spec: { kind: ScheduleKind.LOGARITHMIC, start, end, steps, base } });
}

/** numpy.linspace (endpoint included, last point exact) raised to `base`, truncated toward zero. */
function logarithmicSteps(start: number, end: number, steps: number, base: number): number[] {
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  return Array.from({ length: steps }, (_, i) => Math.trunc(base ** (i === steps - 1 && steps > 1 ? end : start + i * delta)));
}
