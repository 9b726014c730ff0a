// One viewer's state: which runs it compares and how far back in time its histograms are; and what it is sent.
import type { RunCollector, RunData } from '../model.js';
import { runState } from '../model.js';
import { pickHistogram } from '../specs/histogram.js';
import { PANELS, panelSpec, type PanelId } from '../specs/figure.js';
import type { VlSpec } from '../specs/style.js';

export interface RunSummary {
  runId: string;
  state: ReturnType<typeof runState> | 'stored';
  testProblem?: string;
  optimizer?: string;
  lastStep?: number;
  records: number;
}

export function summarize(run: RunData): RunSummary {
  return {
    runId: run.runId,
    state: runState(run),
    testProblem: run.started?.testProblem || undefined,
    optimizer: run.started?.optimizer || undefined,
    lastStep: run.rows.at(-1),
    records: run.records,
  };
}

export interface Selection {
  runs: string[];
  stepBack: number;
}

export interface PanelsMessage {
  type: 'panels';
  selection: Selection;
  panels: Partial<Record<PanelId, VlSpec | null>>;
  /** Where the histogram time slider stands: the step drawn, and how many recorded histogram steps there are. */
  histogram?: { step: number; index: number; count: number };
}

export function panelsFor(collector: RunCollector, selection: Selection, options: { maxPoints?: number } = {}): PanelsMessage {
  const runs = selection.runs.map((id) => collector.runs.get(id)).filter((r): r is RunData => r !== undefined);
  const panels: PanelsMessage['panels'] = {};
  for (const id of Object.keys(PANELS) as PanelId[]) panels[id] = panelSpec(id, runs, { stepBack: selection.stepBack, maxPoints: options.maxPoints }) ?? null;
  const pick = runs[0] && (pickHistogram(runs[0], 'GradHist1d', undefined, selection.stepBack) ?? pickHistogram(runs[0], 'GradHist2d', undefined, selection.stepBack));
  return { type: 'panels', selection, panels, ...(pick ? { histogram: { step: pick.step, index: pick.index, count: pick.count } } : {}) };
}
