// GradHist1d's counts on a worker thread. Counting every individual-gradient entry is JS work: 0.4–0.5 of a plain
// training step on tfjs-wasm for the MNIST MLP, run on the training thread, which tfjs's cpu and wasm backends keep
// to one core. Given a core to spare, the counting runs beside the rest of the step (the other statistics, the
// other quantities, HessMaxEV) and the step waits only for what is left of it. The counts are the same integers:
// the thread runs the same loops (bin-rule.ts, outer-products-counting.ts) on copies of the same float32 values.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type Axis, countValues } from '../quantities/bin-rule.js';
import { countOuterProducts } from '../quantities/outer-products-counting.js';

/** One group of entries to count: the outer products a_n d_nᵀ of n examples ([n, p] and [n, q]), or plain values. */
export type CountJob = { kind: 'outer'; a: Float32Array; d: Float32Array; n: number } | { kind: 'values'; x: Float32Array };

/** counts[bin]++ over every entry of every job, on `axis` (binCounts' rule). */
export function countJobs(axis: Axis, jobs: readonly CountJob[]): Int32Array {
  const counts = new Int32Array(axis.bins);
  for (const job of jobs) {
    if (job.kind === 'outer') countOuterProducts(counts, job.a, job.d, job.n, axis);
    else countValues(counts, job.x, axis);
  }
  return counts;
}

interface Request {
  id: number;
  axis: Axis;
  jobs: CountJob[];
}

type Reply = { id: number; counts: Int32Array } | { id: number; error: string };

const ROLE = 'flightdeck-counting-thread';

/**
 * The module runs from its TypeScript source under jest and `tools/ts-register.cjs`, and as JavaScript from dist/:
 * the worker loads the same file, through the same hook in the first case.
 */
function workerOptions(): { entry: string; execArgv: string[] } {
  const fromSource = __filename.endsWith('.ts');
  return { entry: __filename, execArgv: fromSource ? ['--require', join(__dirname, '..', '..', '..', '..', 'tools', 'ts-register.cjs')] : [] };
}

/**
 * A worker thread that counts histogram jobs in the order they come. postMessage copies the jobs' arrays to the
 * thread, and the requests keep theirs until counted: if the thread fails, the requests waiting on it and every
 * later one are counted on the calling thread, after one warning (the counts do not depend on where they are made).
 */
export class CountingThread {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly waiting = new Map<number, { request: Request; resolve: (counts: Int32Array) => void; reject: (e: unknown) => void }>();

  constructor(
    private readonly warn: (message: string) => void = (m) => console.warn(m),
    private readonly options: { entry: string; execArgv: string[] } = workerOptions(),
  ) {}

  count(axis: Axis, jobs: CountJob[]): Promise<Int32Array> {
    if (this.failed) return Promise.resolve(countJobs(axis, jobs));
    const request: Request = { id: this.nextId++, axis, jobs };
    const counted = new Promise<Int32Array>((resolve, reject) => this.waiting.set(request.id, { request, resolve, reject }));
    const worker = this.start();
    // Referenced while a request waits (the process must not exit before its counts come), not when idle.
    worker.ref();
    worker.postMessage(request);
    return counted;
  }

  /** Ends the thread; waiting requests are counted here. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.removeAllListeners();
      await worker.terminate();
    }
    this.countWaitingHere();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.entry, { workerData: { role: ROLE }, execArgv: this.options.execArgv });
    worker.on('message', (reply: Reply) => {
      const entry = this.waiting.get(reply.id);
      if (!entry) return;
      if ('error' in reply) return this.fail(reply.error);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      entry.resolve(reply.counts);
    });
    worker.on('error', (e) => this.fail(e.message));
    worker.on('exit', (code) => this.fail(`the thread exited with code ${code}`));
    return (this.worker = worker);
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.warn(`cockpit engine: the histogram counting thread failed (${reason}); counting on the training thread from now on`);
    const worker = this.worker;
    this.worker = undefined;
    worker?.removeAllListeners();
    void worker?.terminate();
    this.countWaitingHere();
  }

  private countWaitingHere(): void {
    for (const { request, resolve, reject } of this.waiting.values()) {
      try {
        resolve(countJobs(request.axis, request.jobs));
      } catch (e) {
        reject(e);
      }
    }
    this.waiting.clear();
  }
}

let shared: CountingThread | undefined;

/** The process's counting thread, or undefined on a machine with a single core (the counting would only queue). */
export function sharedCountingThread(): CountingThread | undefined {
  if (availableParallelism() < 2) return undefined;
  return (shared ??= new CountingThread());
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  parentPort!.on('message', ({ id, axis, jobs }: Request) => {
    let reply: Reply;
    try {
      reply = { id, counts: countJobs(axis, jobs) };
    } catch (e) {
      reply = { id, error: e instanceof Error ? e.message : String(e) };
    }
    parentPort!.postMessage(reply, 'counts' in reply ? [reply.counts.buffer as ArrayBuffer] : []);
  });
}
