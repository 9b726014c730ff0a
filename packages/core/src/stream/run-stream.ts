import type { Checkpoint, Envelope, EvaluationRecord, RunFinished, RunStarted, StepRecord } from '../schema/index.js';
import { SCHEMA_VERSION } from '../schema/index.js';
import type { Sink } from './types.js';

/**
 * The producer side of one run: wraps records in envelopes with the run id, consecutive sequence numbers and
 * timestamps, and writes them to a sink. Every producer (Cockpit, the DeepOBS runner, the TS client) uses it, so
 * sequence numbering is the same everywhere.
 */
export class RunStream {
  private nextSeq: number;

  constructor(
    readonly runId: string,
    private readonly sink: Sink,
    options: { firstSeq?: number; clock?: () => number } = {},
  ) {
    this.nextSeq = options.firstSeq ?? 0;
    this.clock = options.clock ?? (() => Date.now() * 1000);
  }

  private readonly clock: () => number;

  get seq(): number {
    return this.nextSeq;
  }

  started(record: RunStarted): Promise<Envelope> {
    return this.emit({ runStarted: record });
  }
  step(record: StepRecord): Promise<Envelope> {
    return this.emit({ step: record });
  }
  evaluation(record: EvaluationRecord): Promise<Envelope> {
    return this.emit({ evaluation: record });
  }
  checkpoint(record: Checkpoint): Promise<Envelope> {
    return this.emit({ checkpoint: record });
  }
  finished(record: RunFinished): Promise<Envelope> {
    return this.emit({ runFinished: record });
  }
  heartbeat(step: number): Promise<Envelope> {
    return this.emit({ heartbeat: { step } });
  }

  private async emit(body: Partial<Envelope>): Promise<Envelope> {
    const envelope: Envelope = {
      schemaVersion: SCHEMA_VERSION,
      runId: this.runId,
      seq: this.nextSeq++,
      timeUnixUs: this.clock(),
      ...body,
    };
    await this.sink.write(envelope);
    return envelope;
  }
}
