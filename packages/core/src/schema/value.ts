// Conversion between JSON-like values (hyperparameters, DeepOBS training_params) and the schema's Value.
import type { Value } from './index.js';

export type JsonValue = number | string | boolean | null | JsonValue[];

export function toValue(v: JsonValue): Value {
  if (v === null) return { null: true };
  if (Array.isArray(v)) return { list: { values: v.map(toValue) } };
  switch (typeof v) {
    case 'boolean':
      return { boolean: v };
    case 'string':
      return { text: v };
    default:
      return Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER && !Object.is(v, -0) ? { integer: v } : { number: v };
  }
}

export function fromValue(v: Value): JsonValue {
  if (v.list != null) return (v.list.values ?? []).map(fromValue);
  if (v.boolean != null) return v.boolean;
  if (v.text != null) return v.text;
  if (v.integer != null) return Number(v.integer);
  if (v.number != null) return v.number;
  return null;
}

export function toValueMap(o: Record<string, JsonValue>): Record<string, Value> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)]));
}

export function fromValueMap(o: Record<string, Value> | null | undefined): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, fromValue(v)]));
}
