// Building schema records and downloading small results.
import * as tf from '@tensorflow/tfjs';
import type { Quantity as QuantityRecord } from '@flightdeck/core';
import { squaredDistance } from '../engine/squared-distance.js';
import type { BatchStats, ParamInfo } from '../engine/types.js';
import type { QuantityName, StepData } from './quantity.js';

export function scalarRecord(name: QuantityName, value: number, forStep?: number): QuantityRecord {
  return withStep({ name, scalar: value }, forStep);
}

/** A per-parameter list (GradNorm, Distance, …): labels are the parameter names, in the model's order. */
export function perParamRecord(name: QuantityName, params: readonly ParamInfo[], values: number[], forStep?: number): QuantityRecord {
  return withStep({ name, vector: { values, labels: params.map((p) => p.name) } }, forStep);
}

function withStep(record: QuantityRecord, forStep: number | undefined): QuantityRecord {
  return forStep === undefined ? record : { ...record, forStep };
}

/** Downloads a tensor as float64 numbers and disposes it. */
export async function download(t: tf.Tensor): Promise<number[]> {
  try {
    return await read(t);
  } finally {
    t.dispose();
  }
}

/** Downloads a tensor as float64 numbers, leaving it alive. */
export async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

/** Downloads a scalar tensor and disposes it. */
export async function downloadScalar(t: tf.Tensor): Promise<number> {
  return (await download(t))[0];
}

/** ‖t_p‖² for each tensor (not tf.norm: its pow(|x|, 2) is about ten times slower on wasm). */
function squaredNorms(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.stack(tensors.map((t) => squaredDistance(t))) as tf.Tensor1D;
}

const downloadedSquaredNorms = new WeakMap<readonly tf.Tensor[], Promise<number[]>>();

/**
 * ‖t_p‖² for each tensor, in one download, made once per list: GradNorm, NormTest, CABS and MeanGSNR all read the
 * mean gradient's (a pass over every parameter each, 1.4 ms on the wasm MLP).
 */
export function perTensorSquaredNorms(tensors: readonly tf.Tensor[]): Promise<number[]> {
  let values = downloadedSquaredNorms.get(tensors);
  if (values === undefined) downloadedSquaredNorms.set(tensors, (values = download(tf.tidy(() => squaredNorms(tensors)))));
  return values;
}

/** Σ_p ‖t_p‖² from perTensorSquaredNorms (float64 sum). */
export async function totalSquaredNorm(tensors: readonly tf.Tensor[]): Promise<number> {
  return (await perTensorSquaredNorms(tensors)).reduce((a, b) => a + b, 0);
}

/** ‖a_p − b_p‖ for each pair, in one download. */
export function perTensorDistances(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): Promise<number[]> {
  return download(tf.tidy(() => tf.sqrt(tf.stack(a.map((t, i) => squaredDistance(t, b[i]))))));
}

/** Σ over all tensors of all their entries, as one scalar tensor. */
export function sumAll(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(tensors.map((t) => tf.sum(t))) as tf.Scalar);
}

/** Σ_p ‖t_p‖², as one scalar tensor. */
export function squaredNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(tensors.map((t) => squaredDistance(t))) as tf.Scalar);
}

export function disposeAll(tensors: readonly tf.Tensor[] | undefined): void {
  tensors?.forEach((t) => t.dispose());
}

/** A statistic this quantity requested; a missing one is an engine bug, reported with the quantity and step. */
export function requireStat<K extends keyof BatchStats>(data: StepData, key: K, quantity: QuantityName): NonNullable<BatchStats[K]> {
  const value = data.stats[key];
  if (value == null) throw new Error(`${quantity} at step ${data.step}: the engine did not return ${String(key)}`);
  return value as NonNullable<BatchStats[K]>;
}
