// The counting thread against the same loops run here, and its failure path: a thread that cannot start or dies
// leaves every request counted, on the calling thread, after one warning.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Rng } from '@flightdeck/core';
import { type CountJob, countJobs, CountingThread } from '../../src/engine/counting-thread.js';
import type { Axis } from '../../src/quantities';

const AXIS: Axis = { range: [-1, 1], bins: 20, clamp: 'edges' };

/** Values around the bin edges, with zeros, outliers, ±∞ and NaN. */
function values(rng: Rng, size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => {
    if (i % 97 === 0) return [0, -0, Infinity, -Infinity, NaN, 5, -5][i % 7]!;
    return rng.normal() * 0.4;
  });
}

function jobs(seed: number): CountJob[] {
  const rng = new Rng(seed);
  const [n, p, q] = [6, 40, 30];
  return [
    { kind: 'outer', a: values(rng, n * p), d: values(rng, n * q), n },
    { kind: 'values', x: values(rng, 1000) },
    { kind: 'outer', a: Float32Array.from(values(rng, n * p), Math.abs), d: values(rng, n * q), n },
  ];
}

/** The counts countJobs makes here, by brute force over the materialised products with binCounts' rule. */
function bruteForce(axis: Axis, list: readonly CountJob[]): number[] {
  const [lo, hi] = axis.range;
  const counts = new Array<number>(axis.bins).fill(0);
  const add = (v: number) => {
    if (Number.isNaN(v)) return;
    const c = v * (axis.bins / (hi - lo)) + ((0 - lo) / (hi - lo)) * axis.bins;
    counts[Math.min(Math.max(c, 0), axis.bins - 1) | 0]!++;
  };
  for (const job of list) {
    if (job.kind === 'values') job.x.forEach(add);
    else {
      const [p, q] = [job.a.length / job.n, job.d.length / job.n];
      for (let e = 0; e < job.n; e++) for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) add(Math.fround(job.a[e * p + i]! * job.d[e * q + j]!));
    }
  }
  return counts;
}

describe('CountingThread', () => {
  it('countJobs equals binning the materialised values', () => {
    const list = jobs(1);
    expect(Array.from(countJobs(AXIS, list))).toEqual(bruteForce(AXIS, list));
  });

  it('counts on the thread what countJobs counts here, for requests in flight together', async () => {
    const thread = new CountingThread(() => {
      throw new Error('no warning expected');
    });
    const lists = [1, 2, 3, 4].map(jobs);
    const expected = lists.map((list) => Array.from(countJobs(AXIS, list)));
    const counted = await Promise.all(lists.map((list) => thread.count(AXIS, list)));
    expect(counted.map((c) => Array.from(c))).toEqual(expected);
    // The caller's arrays are still its own (copied to the thread, not moved).
    expect(Array.from(countJobs(AXIS, lists[0]!))).toEqual(expected[0]);
    await thread.close();
  });

  it('a thread that cannot start: the request is counted here, after one warning naming the failure', async () => {
    const warnings: string[] = [];
    const thread = new CountingThread((m) => warnings.push(m), { entry: '/nonexistent/counting-thread.js', execArgv: [] });
    const list = jobs(5);
    expect(Array.from(await thread.count(AXIS, list))).toEqual(bruteForce(AXIS, list));
    expect(Array.from(await thread.count(AXIS, jobs(6)))).toEqual(bruteForce(AXIS, jobs(6)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/counting thread failed .*nonexistent.*counting on the training thread/);
    await thread.close();
  });

  it('close() with requests in flight: they are counted here', async () => {
    const thread = new CountingThread();
    const list = jobs(7);
    const counted = thread.count(AXIS, list);
    await thread.close();
    expect(Array.from(await counted)).toEqual(bruteForce(AXIS, list));
  });

  it('keeps the process alive while counting, and lets it exit when idle', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const script = [
      "const { CountingThread } = require('./packages/cockpit/src/engine/counting-thread.ts');",
      'const thread = new CountingThread();',
      "thread.count({ range: [-1, 1], bins: 4, clamp: 'edges' }, [{ kind: 'values', x: Float32Array.from([-0.9, -0.1, 0.1, 0.2, 2]) }])",
      "  .then((c) => console.log('counts', Array.from(c).join(',')));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--require', join(root, 'tools', 'ts-register.cjs'), '-e', script], { cwd: root, timeout: 60_000, encoding: 'utf8' });
    expect(run.signal).toBeNull();
    expect(run.stdout.trim()).toBe('counts 1,1,2,1');
    expect(run.status).toBe(0);
  });
});
