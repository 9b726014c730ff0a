// DeepOBS learning curves: train/valid/test loss and accuracy per epoch, from the evaluation records.
import type { EvaluationRecord } from '@flightdeck/core';
import type { RunData } from '../model.js';
import type { PanelOptions } from './panel.js';
import { PRIMARY, SECONDARY, TERTIARY, type VlSpec } from './style.js';

const SPLITS = [
  { split: 'train', colour: PRIMARY },
  { split: 'valid', colour: SECONDARY },
  { split: 'test', colour: TERTIARY },
] as const;

export interface CurveRow {
  run: string;
  epoch: number;
  split: 'train' | 'valid' | 'test';
  value: number;
}

export function learningCurveRows(runs: readonly RunData[], metric: 'loss' | 'accuracy'): CurveRow[] {
  return runs.flatMap((run) =>
    run.evaluations
      // The bridge's independent ONNX evaluations would duplicate the trainer's epochs.
      .filter((e) => !e.source || e.source === 'trainer')
      .flatMap((e) =>
        SPLITS.flatMap(({ split }) => {
          const v = e[`${split}${metric === 'loss' ? 'Loss' : 'Accuracy'}` as keyof EvaluationRecord] as number | null | undefined;
          return v != null ? [{ run: run.runId, epoch: Number(e.epoch ?? 0), split, value: v }] : [];
        }),
      ),
  );
}

function curve(runs: readonly RunData[], metric: 'loss' | 'accuracy', options: PanelOptions): VlSpec | undefined {
  const rows = learningCurveRows(runs, metric);
  if (rows.length === 0) return undefined;
  const multi = runs.length > 1;
  return {
    title: metric === 'loss' ? 'Loss per epoch' : 'Accuracy per epoch',
    width: options.width ?? 360,
    height: options.height ?? 170,
    data: { values: rows },
    mark: { type: 'line', point: { size: 16 } },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric === 'loss' ? 'Loss' : 'Accuracy',
        scale: metric === 'accuracy' ? { domain: [0, 1] } : { zero: false },
        ...(metric === 'accuracy' ? { axis: { format: '.0%' } } : {}),
      },
      color: { field: 'split', type: 'nominal', title: 'Split', scale: { domain: SPLITS.map((s) => s.split), range: SPLITS.map((s) => s.colour) } },
      ...(multi ? { strokeDash: { field: 'run', type: 'nominal', title: 'Run' } } : {}),
      detail: { field: 'run' },
      tooltip: [{ field: 'run' }, { field: 'epoch' }, { field: 'split' }, { field: 'value', format: '.4g' }],
    },
  };
}

/** Loss and accuracy side by side; a problem without accuracy gets the loss only. */
export function learningCurvesSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const panels = [curve(runs, 'loss', options), curve(runs, 'accuracy', options)].filter((p) => p !== undefined);
  if (panels.length === 0) return undefined;
  return { title: 'DeepOBS learning curves', hconcat: panels, resolve: { scale: { color: 'independent' } } };
}
