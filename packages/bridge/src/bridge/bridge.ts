import { FanOut, RunStore, type FsyncPolicy } from '@flightdeck/core';
import { IngestServer, checkBindAddress, type IngestOptions } from '../ingest/index.js';

export interface BridgeOptions extends Omit<IngestOptions, 'fanOut'> {
  /** The run store's folder. */
  storeDir: string;
  fsync?: FsyncPolicy;
}

/**
 * The bridge's pipeline in one process: the run store, the ZeroMQ ingest writing into it, and one live fan-out
 * that every consumer (dashboard, ONNX evaluator, user code) subscribes to.
 */
export class Bridge {
  private constructor(
    readonly store: RunStore,
    readonly ingest: IngestServer,
    readonly live: FanOut,
  ) {}

  static async start(options: BridgeOptions): Promise<Bridge> {
    checkBindAddress(options.bind ?? 'tcp://127.0.0.1:5555', options.public ?? false, options.curve !== undefined);
    const store = await RunStore.open(options.storeDir, { fsync: options.fsync ?? 'always', log: options.log });
    const live = new FanOut();
    try {
      const ingest = await IngestServer.start(store, { ...options, fanOut: live });
      return new Bridge(store, ingest, live);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.ingest.close();
    await this.live.close();
    await this.store.close();
  }
}
