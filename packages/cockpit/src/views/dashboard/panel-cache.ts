// Panels are the expensive part of a live dashboard (a 100k-step run takes about half a second to downsample and
// specify). Viewers of the same selection share one build per change of the data, and a selection whose build is
// slow is pushed less often, so that drawing never takes more than about 1/(1 + BUILD_SHARE) of the server's time
// away from ingest.
import type { Selection } from './session.js';

/** At least this many times a build's duration passes before the same selection is built again. */
export const BUILD_SHARE = 4;

interface Built {
  version: number;
  message: string;
  buildMs: number;
}

export class PanelCache {
  private readonly built = new Map<string, Built>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The message for `selection` at data `version`: built by `build` unless this version was built already. */
  get(selection: Selection, version: number, build: () => unknown): { message: string; fresh: boolean } {
    const key = selectionKey(selection);
    const known = this.built.get(key);
    if (known?.version === version) return { message: known.message, fresh: false };
    const start = this.now();
    const message = JSON.stringify(build());
    this.built.set(key, { version, message, buildMs: this.now() - start });
    return { message, fresh: true };
  }

  /** How long to wait before pushing `selection` again: the push interval, longer when its build is slow. */
  delay(selection: Selection, pushIntervalMs: number): number {
    const buildMs = this.built.get(selectionKey(selection))?.buildMs ?? 0;
    return Math.max(pushIntervalMs, BUILD_SHARE * buildMs);
  }

  /** Forgets the selections nobody watches any more. */
  retain(selections: Iterable<Selection>): void {
    const keep = new Set([...selections].map(selectionKey));
    for (const key of this.built.keys()) if (!keep.has(key)) this.built.delete(key);
  }
}

function selectionKey(s: Selection): string {
  return JSON.stringify([s.runs, s.stepBack]);
}
