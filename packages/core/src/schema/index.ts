// The generated schema (proto/flightdeck/v1) under short names. The generated module is the one source of the
// message classes; these aliases are the plain-object shapes producers build and consumers read.
import { flightdeck } from '../generated/schema.js';

export const schema = flightdeck.v1;
export const SCHEMA_VERSION = 1;

type P = typeof flightdeck.v1;
export type Envelope = flightdeck.v1.Envelope.$Properties;
export type RunStarted = flightdeck.v1.RunStarted.$Properties;
export type StepRecord = flightdeck.v1.StepRecord.$Properties;
export type EvaluationRecord = flightdeck.v1.EvaluationRecord.$Properties;
export type Checkpoint = flightdeck.v1.Checkpoint.$Properties;
export type RunFinished = flightdeck.v1.RunFinished.$Properties;
export type Heartbeat = flightdeck.v1.Heartbeat.$Properties;
export type Quantity = flightdeck.v1.Quantity.$Properties;
export type Vector = flightdeck.v1.Vector.$Properties;
export type Histogram1D = flightdeck.v1.Histogram1D.$Properties;
export type Histogram2D = flightdeck.v1.Histogram2D.$Properties;
export type TensorList = flightdeck.v1.TensorList.$Properties;
export type Tensor = flightdeck.v1.Tensor.$Properties;
export type Value = flightdeck.v1.Value.$Properties;
export type LearningRateSchedule = flightdeck.v1.LearningRateSchedule.$Properties;
export type InstrumentConfig = flightdeck.v1.InstrumentConfig.$Properties;
export type QuantityConfig = flightdeck.v1.QuantityConfig.$Properties;
export type Schedule = flightdeck.v1.Schedule.$Properties;
export type ServerMessage = flightdeck.v1.ServerMessage.$Properties;
export type Ack = flightdeck.v1.Ack.$Properties;
export type Reject = flightdeck.v1.Reject.$Properties;

export const RunStatus: P['RunFinished']['Status'] = flightdeck.v1.RunFinished.Status;
export const ScheduleKind: P['Schedule']['Kind'] = flightdeck.v1.Schedule.Kind;

export const BODY_KINDS = ['runStarted', 'step', 'evaluation', 'checkpoint', 'runFinished', 'heartbeat'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

/** Which record an envelope carries, for plain objects and decoded messages alike. */
export function bodyKind(env: Envelope): BodyKind | undefined {
  return BODY_KINDS.find((k) => env[k] != null);
}
