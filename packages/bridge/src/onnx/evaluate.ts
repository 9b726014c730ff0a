import { runOnnxModel } from './run-model.js';

/** A classification test split: inputs in the layout the model expects, row-major, and integer labels. */
export interface TestSplit {
  inputs: Float32Array;
  /** Shape of `inputs`, the first dimension being the number of examples. */
  shape: number[];
  labels: ArrayLike<number>;
  /**
   * Layout of image inputs [N, H, W, C] ('nhwc', tfjs) or [N, C, H, W] ('nchw', PyTorch; the default). NHWC images
   * are transposed for a model whose input is [batch, C, H, W], and flattened for a model with a 2-D input.
   */
  layout?: 'nchw' | 'nhwc';
}

export interface OnnxScore {
  /** Mean softmax cross-entropy of the model's outputs (logits) against the labels. */
  loss: number;
  accuracy: number;
  examples: number;
}

/**
 * Runs an ONNX classifier (one input, an output of logits [batch, classes]) over a test split in batches and
 * scores it in float64. The model needs a dynamic batch dimension unless `batchSize` equals its fixed one.
 */
export async function evaluateOnnxClassifier(model: Uint8Array, split: TestSplit, batchSize = 256): Promise<OnnxScore> {
  const [n, ...example] = split.shape;
  const size = example.reduce((a, b) => a * b, 1);
  if (split.inputs.length !== n * size) throw new Error(`test split: shape [${split.shape.join(', ')}] needs ${n * size} values, got ${split.inputs.length}`);
  if (split.labels.length !== n) throw new Error(`test split: ${n} examples but ${split.labels.length} labels`);
  const outputs = await runOnnxModel(model, split.inputs, split.shape, batchSize, split.layout ?? 'nchw');
  let lossSum = 0;
  let correct = 0;
  let offset = 0;
  for (const { data: logits, dims } of outputs) {
    const m = dims[0];
    const classes = logits.length / m;
    if (dims.length !== 2 || !Number.isInteger(classes)) throw new Error(`ONNX model: output shape [${dims.join(', ')}] is not [batch, classes]`);
    for (let i = 0; i < m; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      const label = split.labels[offset + i];
      if (!(Number.isInteger(label) && label >= 0 && label < classes)) throw new Error(`test split: label ${label} of example ${offset + i} is outside 0..${classes - 1}`);
      let max = -Infinity;
      let argmax = 0;
      for (let c = 0; c < classes; c++) if (row[c] > max) [max, argmax] = [row[c], c];
      let sumExp = 0;
      for (let c = 0; c < classes; c++) sumExp += Math.exp(row[c] - max);
      lossSum += max + Math.log(sumExp) - row[label];
      if (argmax === label) correct++;
    }
    offset += m;
  }
  if (offset !== n) throw new Error(`ONNX model: ${offset} outputs for ${n} examples`);
  return { loss: lossSum / n, accuracy: correct / n, examples: n };
}
