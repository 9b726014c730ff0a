import { Worker } from 'node:worker_threads';

/** One batch's output: row-major values and the output's dimensions. */
export interface OnnxBatchOutput {
  data: Float32Array;
  dims: number[];
}

// The model runs in a worker thread: a large model never stalls the ingest's event loop, and onnxruntime's
// JavaScript and its native binding share the worker's one realm (under a loader that sandboxes globals, such as
// jest's, the binding's output arrays fail onnxruntime's own `instanceof Float32Array` check on the main thread).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
(async () => {
  const { model, inputs, shape, batchSize, layout } = workerData;
  const session = await ort.InferenceSession.create(model);
  try {
    if (session.inputNames.length !== 1) throw new Error('expected one input, the model has [' + session.inputNames.join(', ') + ']');
    const [n, ...example] = shape;
    const size = example.reduce((a, b) => a * b, 1);
    const wanted = session.inputMetadata?.[0]?.shape ?? [];
    // NHWC images for a model that takes [batch, C, H, W]: transpose; for a model with a 2-D input: flatten.
    const transpose = layout === 'nhwc' && example.length === 3 && wanted.length === 4 && wanted[1] === example[2] && wanted[3] !== example[2];
    const dims = wanted.length === 2 ? [size] : transpose ? [example[2], example[0], example[1]] : example;
    const toModel = (x) => {
      if (!transpose) return x;
      const [h, w, c] = example;
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length / size; i++)
        for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[i * size + k * h * w + p] = x[i * size + p * c + k];
      return out;
    };
    const outputs = [];
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const x = new ort.Tensor('float32', toModel(inputs.subarray(start * size, (start + m) * size)), [m, ...dims]);
      const y = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
      outputs.push({ data: y.data, dims: y.dims });
    }
    parentPort.postMessage({ ok: true, outputs });
  } finally {
    await session.release();
  }
})().catch((e) => parentPort.postMessage({ ok: false, error: e.message }));
`;

/** Runs an ONNX model with one float32 input over `inputs` (shape [n, ...], NHWC images adapted) in batches; returns each batch's first output. */
export function runOnnxModel(model: Uint8Array, inputs: Float32Array, shape: number[], batchSize: number, layout: 'nchw' | 'nhwc'): Promise<OnnxBatchOutput[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node'), model, inputs, shape, batchSize, layout } });
    let settled = false;
    worker.once('message', (m: { ok: true; outputs: OnnxBatchOutput[] } | { ok: false; error: string }) => {
      settled = true;
      if (m.ok) resolve(m.outputs);
      else reject(new Error(`ONNX model: ${m.error}`));
      void worker.terminate();
    });
    worker.once('error', (e) => {
      if (!settled) reject(new Error(`ONNX model: ${e.message}`));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`ONNX model: the evaluation worker exited with code ${code}`));
    });
  });
}
