import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { SCHEMA_VERSION, type Checkpoint, type Envelope, type RunStarted, type Source } from '@flightdeck/core';
import { evaluateOnnxClassifier, type TestSplit } from './evaluate.js';

/** The test split of a run's problem, or undefined when the bridge has none for it. */
export type TestSplitProvider = (started: RunStarted, runId: string) => Promise<TestSplit | undefined> | TestSplit | undefined;

/** Where the evaluator's envelopes go: stored durably, then fanned out (the bridge's pipeline). */
export type Publish = (envelope: Envelope) => Promise<void>;

/** The run next to a trainer's run that holds the bridge's ONNX evaluations of its checkpoints. */
export function onnxRunId(runId: string): string {
  return `${runId}:onnx`;
}

export interface OnnxEvaluatorOptions {
  /** The seq the companion run continues after (the store's last seq for it), undefined for a new run. */
  lastSeq: (runId: string) => number | undefined;
  /** The trainer's RunStarted for a run begun before this process started (read back from the store). */
  startedOf?: (runId: string) => Promise<RunStarted | undefined>;
  batchSize?: number;
  log?: (line: string) => void;
}

/**
 * Evaluates every ONNX checkpoint that passes through the live stream on the problem's test split, and publishes
 * the independent test loss and accuracy as an EvaluationRecord with source "onnx". The records go into a
 * companion run `<runId>:onnx` with the trainer's RunStarted: the trainer's own run keeps its seqs to itself
 * (the bridge cannot insert records into a producer's numbering without colliding with its next records).
 */
export class OnnxEvaluator {
  private readonly started = new Map<string, RunStarted>();
  private queue: Promise<void> = Promise.resolve();
  private readonly loop: Promise<void>;
  private readonly log: (line: string) => void;
  /** Evaluations done and failed, for stats and tests. */
  readonly counts = { evaluated: 0, failed: 0, skipped: 0 };

  constructor(
    private readonly live: Source,
    private readonly testSplit: TestSplitProvider,
    private readonly publish: Publish,
    private readonly options: OnnxEvaluatorOptions,
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.loop = this.run();
  }

  /** Resolves when the live source has ended and every queued evaluation is done. */
  async done(): Promise<void> {
    await this.loop;
    await this.queue;
  }

  private async run(): Promise<void> {
    for await (const envelope of this.live) {
      const runId = envelope.runId!;
      if (envelope.runStarted && !runId.endsWith(':onnx')) this.started.set(runId, envelope.runStarted);
      if (envelope.checkpoint && (envelope.checkpoint.format ?? '') === 'onnx') this.enqueue(() => this.evaluate(runId, envelope.checkpoint!));
      if (envelope.runFinished && this.started.has(runId)) {
        const finished = envelope.runFinished;
        this.enqueue(() => this.finish(runId, finished));
      }
    }
  }

  /** One evaluation at a time, in arrival order, off the ingest's path. */
  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((e) => this.log(`onnx: ${(e as Error).message}`));
  }

  private async evaluate(runId: string, checkpoint: Checkpoint): Promise<void> {
    const where = `run ${runId}, epoch ${checkpoint.epoch ?? 0}, step ${checkpoint.step ?? 0}`;
    const started = this.started.get(runId) ?? (await this.options.startedOf?.(runId));
    if (!started) {
      this.counts.skipped++;
      this.log(`onnx: ${where}: no RunStarted known for the run; checkpoint not evaluated`);
      return;
    }
    this.started.set(runId, started);
    const split = await this.testSplit(started, runId);
    if (!split) {
      this.counts.skipped++;
      this.log(`onnx: ${where}: no test split known for problem "${started.testProblem}"; checkpoint not evaluated`);
      return;
    }
    try {
      const model = await this.modelBytes(checkpoint, where);
      const score = await evaluateOnnxClassifier(model, split, this.options.batchSize);
      await this.emit(runId, started, {
        evaluation: { epoch: checkpoint.epoch ?? 0, step: Number(checkpoint.step ?? 0), testLoss: score.loss, testAccuracy: score.accuracy, source: 'onnx' },
      });
      this.counts.evaluated++;
    } catch (e) {
      this.counts.failed++;
      this.log(`onnx: ${where}: evaluation failed: ${(e as Error).message}`);
    }
  }

  private async modelBytes(checkpoint: Checkpoint, where: string): Promise<Uint8Array> {
    const bytes = checkpoint.data?.length ? checkpoint.data : await readFile(checkpoint.path!);
    if (checkpoint.sha256) {
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== checkpoint.sha256) throw new Error(`${where}: checkpoint SHA-256 ${actual} does not match ${checkpoint.sha256}`);
    }
    return bytes;
  }

  private async finish(runId: string, finished: NonNullable<Envelope['runFinished']>): Promise<void> {
    if (this.options.lastSeq(onnxRunId(runId)) === undefined) return;
    await this.emit(runId, this.started.get(runId)!, { runFinished: { status: finished.status, message: finished.message ?? '', lastStep: finished.lastStep, lastEpoch: finished.lastEpoch } });
    this.started.delete(runId);
  }

  private async emit(runId: string, started: RunStarted, body: Partial<Envelope>): Promise<void> {
    const id = onnxRunId(runId);
    const last = this.options.lastSeq(id);
    const base = { schemaVersion: SCHEMA_VERSION, runId: id, timeUnixUs: Date.now() * 1000 };
    let seq = last === undefined ? 0 : last + 1;
    if (last === undefined) {
      await this.publish({ ...base, seq: seq++, runStarted: { ...started, labels: { ...(started.labels ?? {}), evaluates: runId, source: 'onnx' } } });
    }
    await this.publish({ ...base, seq, ...body });
  }
}
