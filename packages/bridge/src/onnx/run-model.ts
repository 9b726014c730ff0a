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
  const { model, inputs, shape, batchSize } = workerData;
  const session = await ort.InferenceSession.create(model);
  try {
    if (session.inputNames.length !== 1) throw new Error('expected one input, the model has [' + session.inputNames.join(', ') + ']');
    const [n, ...example] = shape;
    const size = example.reduce((a, b) => a * b, 1);
    const outputs = [];
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const x = new ort.Tensor('float32', inputs.subarray(start * size, (start + m) * size), [m, ...example]);
      const y = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
      outputs.push({ data: y.data, dims: y.dims });
    }
    parentPort.postMessage({ ok: true, outputs });
  } finally {
    await session.release();
  }
})().catch((e) => parentPort.postMessage({ ok: false, error: e.message }));
`;

/** Runs an ONNX model with one float32 input over `inputs` (shape [n, ...]) in batches; returns each batch's first output. */
export function runOnnxModel(model: Uint8Array, inputs: Float32Array, shape: number[], batchSize: number): Promise<OnnxBatchOutput[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node'), model, inputs, shape, batchSize } });
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
