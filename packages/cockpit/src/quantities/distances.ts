// Where the parameters went: Distance from the start and the size of each update.
import type * as tf from '@tensorflow/tfjs';
import type { Quantity as QuantityRecord } from '@flightdeck/core';
import { NextStepQuantity, TwoStepQuantity, type StepData } from './quantity.js';
import { retainAll } from '../engine/retain.js';
import { disposeAll, perParamRecord, perTensorDistances } from './records.js';

/** ‖θ_t − θ_0‖ per parameter. θ_0 is cached at step 0 whatever the schedule, so step 0 must pass through the Cockpit. */
export class Distance extends TwoStepQuantity {
  readonly name = 'Distance';
  readonly saveShift = 0;
  private initial: tf.Tensor[] | undefined;

  isStart(step: number): boolean {
    return step === 0;
  }
  isEnd(step: number): boolean {
    return this.schedule(step);
  }

  async track(data: StepData): Promise<QuantityRecord[]> {
    if (this.isStart(data.step)) {
      disposeAll(this.initial);
      this.initial = retainAll(data.theta);
    }
    if (!this.isEnd(data.step)) return [];
    if (this.initial === undefined) {
      throw new Error(`Distance at step ${data.step}: θ_0 is unknown because step 0 did not pass through the Cockpit`);
    }
    return [perParamRecord(this.name, data.params, await perTensorDistances(data.theta, this.initial))];
  }

  override dispose(): void {
    disposeAll(this.initial);
    this.initial = undefined;
  }
}

/** ‖θ_{n+1} − θ_n‖ per parameter: the update applied at step n, computed at n + 1 and stored under n. */
export class UpdateSize extends NextStepQuantity {
  readonly name = 'UpdateSize';
  private start: { step: number; theta: tf.Tensor[] } | undefined;

  async track(data: StepData): Promise<QuantityRecord[]> {
    const out: QuantityRecord[] = [];
    if (this.isEnd(data.step) && this.start?.step === data.step - 1) {
      out.push(perParamRecord(this.name, data.params, await perTensorDistances(data.theta, this.start.theta), this.start.step));
    }
    this.dispose();
    if (this.isStart(data.step)) this.start = { step: data.step, theta: retainAll(data.theta) };
    return out;
  }

  override dispose(): void {
    disposeAll(this.start?.theta);
    this.start = undefined;
  }
}
