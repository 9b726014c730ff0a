import { FanOut, RunStore, type Envelope, type FsyncPolicy, type RunStarted } from '@flightdeck/core';
import { IngestServer, checkBindAddress, type IngestOptions } from '../ingest/index.js';
import { OnnxEvaluator, type TestSplitProvider } from '../onnx/index.js';

export interface BridgeOptions extends Omit<IngestOptions, 'fanOut'> {
  /** The run store's folder. */
  storeDir: string;
  fsync?: FsyncPolicy;
  /** Test splits for the ONNX evaluation of checkpoints; without it checkpoints are stored but not evaluated. */
  testSplit?: TestSplitProvider;
}

/**
 * The bridge's pipeline in one process: the run store, the ZeroMQ ingest writing into it, one live fan-out that
 * every consumer (dashboard, ONNX evaluator, user code) subscribes to, and the ONNX evaluator.
 */
export class Bridge {
  private liveClosed = false;
  private evaluator: OnnxEvaluator | undefined;

  private constructor(
    readonly store: RunStore,
    readonly ingest: IngestServer,
    readonly live: FanOut,
  ) {}

  static async start(options: BridgeOptions): Promise<Bridge> {
    checkBindAddress(options.bind ?? 'tcp://127.0.0.1:5555', options.public ?? false, options.curve !== undefined);
    const store = await RunStore.open(options.storeDir, { fsync: options.fsync ?? 'always', log: options.log });
    const live = new FanOut();
    let ingest: IngestServer;
    try {
      ingest = await IngestServer.start(store, { ...options, fanOut: live });
    } catch (e) {
      await store.close();
      throw e;
    }
    const bridge = new Bridge(store, ingest, live);
    if (options.testSplit) {
      bridge.evaluator = new OnnxEvaluator(live.subscribe(), options.testSplit, (e) => bridge.publish(e), {
        lastSeq: (runId) => store.lastSeq(runId),
        startedOf: (runId) => bridge.startedOf(runId),
        log: options.log,
      });
    }
    return bridge;
  }

  /** Stores an envelope the bridge itself produced and fans it out once it is durable. */
  async publish(envelope: Envelope): Promise<void> {
    const result = await this.store.append(envelope);
    if (result.status === 'invalid') throw result.error;
    if (result.status === 'duplicate') throw new Error(`run ${envelope.runId}: seq ${envelope.seq} is already stored`);
    if (!this.liveClosed) this.live.write(envelope);
  }

  /** ONNX evaluations done, failed and skipped (no test split). */
  get onnxCounts(): OnnxEvaluator['counts'] | undefined {
    return this.evaluator?.counts;
  }

  private async startedOf(runId: string): Promise<RunStarted | undefined> {
    if (!this.store.run(runId)) return undefined;
    for await (const e of this.store.read(runId)) return e.runStarted ?? undefined;
    return undefined;
  }

  /** Stops the ingest (storing what it accepted), finishes queued ONNX evaluations, closes the store. */
  async close(): Promise<void> {
    await this.ingest.close();
    this.liveClosed = true;
    await this.live.close();
    await this.evaluator?.done();
    await this.store.close();
  }
}
