// Picking the histogram to show: the latest recorded step, or `stepBack` recorded steps before it.
import type { Point, RunData } from '../model.js';
import { quantityKey } from '../model.js';
import type { Quantity } from '@flightdeck/core';

export interface HistogramPick {
  step: number;
  /** Position among the recorded steps (0 = first) and how many there are, for a time slider. */
  index: number;
  count: number;
  quantity: Quantity;
}

export function pickHistogram(run: RunData, name: string, param?: string, stepBack = 0): HistogramPick | undefined {
  const list: Point<Quantity>[] = run.quantities.get(quantityKey(name, param)) ?? [];
  if (list.length === 0) return undefined;
  const index = Math.max(0, list.length - 1 - Math.max(0, Math.floor(stepBack)));
  return { step: list[index].step, index, count: list.length, quantity: list[index].value };
}
