import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateOnnxClassifier } from '../src/onnx/index.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/store.js';

// A small MLP exported by torch.onnx, scored by PyTorch and by the bridge on the same generated test split.
const EXPORT = `
import io, json, sys, torch, torch.nn.functional as F
torch.manual_seed(3)
out = sys.argv[1]
model = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
x = torch.randn(300, 5)
y = torch.randint(0, 3, (300,))
torch.onnx.export(model, x[:1], out + "/model.onnx", input_names=["x"], output_names=["logits"],
                  dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
with torch.no_grad():
    logits = model(x)
json.dump({"inputs": x.reshape(-1).tolist(), "labels": y.tolist(), "loss": float(F.cross_entropy(logits.double(), y)),
           "accuracy": float((logits.argmax(1) == y).double().mean())}, open(out + "/split.json", "w"))
`;

test('an ONNX export of a PyTorch model scores like PyTorch on the test split', async () => {
  const tmp = tempDir();
  try {
    await runPython(['-c', EXPORT, tmp.dir]);
    const model = readFileSync(join(tmp.dir, 'model.onnx'));
    const s = JSON.parse(readFileSync(join(tmp.dir, 'split.json'), 'utf8'));
    const split = { inputs: Float32Array.from(s.inputs), shape: [300, 5], labels: s.labels };
    const score = await evaluateOnnxClassifier(model, split, 64); // 64 does not divide 300: a short last batch
    expect(score.examples).toBe(300);
    expect(Math.abs(score.loss - s.loss)).toBeLessThan(1e-5 * s.loss);
    expect(score.accuracy).toBe(s.accuracy);

    await expect(evaluateOnnxClassifier(model, { ...split, labels: [...s.labels.slice(0, 299), 7] })).rejects.toThrow(/label 7 of example 299 is outside 0\.\.2/);
    await expect(evaluateOnnxClassifier(model, { ...split, shape: [300, 4] })).rejects.toThrow(/needs 1200 values, got 1500/);
    await expect(evaluateOnnxClassifier(Buffer.from('not a model'), split)).rejects.toThrow(/^ONNX model: /);
  } finally {
    tmp.remove();
  }
});

// A conv net exported by torch.onnx takes NCHW; the DeepOBS splits are NHWC (tfjs): the evaluator transposes.
const EXPORT_CNN = `
import json, sys, torch, torch.nn.functional as F
torch.manual_seed(4)
out = sys.argv[1]
model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 5 * 4, 3))
x = torch.randn(50, 3, 5, 4)
y = torch.randint(0, 3, (50,))
torch.onnx.export(model, x[:1], out + "/cnn.onnx", input_names=["x"], output_names=["logits"],
                  dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
with torch.no_grad():
    logits = model(x)
json.dump({"nhwc": x.permute(0, 2, 3, 1).reshape(-1).tolist(), "labels": y.tolist(),
           "loss": float(F.cross_entropy(logits.double(), y))}, open(out + "/cnn.json", "w"))
`;

test('NHWC images are transposed for a model that takes NCHW', async () => {
  const tmp = tempDir();
  try {
    await runPython(['-c', EXPORT_CNN, tmp.dir]);
    const s = JSON.parse(readFileSync(join(tmp.dir, 'cnn.json'), 'utf8'));
    const model = readFileSync(join(tmp.dir, 'cnn.onnx'));
    const split = { inputs: Float32Array.from(s.nhwc), shape: [50, 5, 4, 3], labels: s.labels, layout: 'nhwc' as const };
    const score = await evaluateOnnxClassifier(model, split, 16);
    expect(Math.abs(score.loss - s.loss)).toBeLessThan(1e-5 * s.loss);
    // Read as if it were NCHW it would be the wrong picture (and the wrong shape for this model).
    await expect(evaluateOnnxClassifier(model, { ...split, layout: 'nchw' })).rejects.toThrow(/^ONNX model: /);
  } finally {
    tmp.remove();
  }
});

test('the DeepOBS test splits: classification problems only, NHWC images, one load per data set', async () => {
  const { deepobsTestSplits } = await import('../src/onnx/index.js');
  const splits = deepobsTestSplits({ synthetic: true, syntheticSize: 256 });
  expect(await splits({ testProblem: 'quadratic_deep' }, 'r')).toBeUndefined(); // no accuracy
  expect(await splits({ testProblem: 'no_such_problem' }, 'r')).toBeUndefined();
  const split = (await splits({ testProblem: 'mnist_mlp' }, 'r'))!;
  expect(split.layout).toBe('nhwc');
  expect(split.shape.slice(1)).toEqual([28, 28, 1]);
  expect(split.inputs.length).toBe(split.shape.reduce((a, b) => a * b, 1));
  expect(split.labels.length).toBe(split.shape[0]);
  expect(Array.from(split.labels).every((l) => Number.isInteger(l) && l >= 0 && l < 10)).toBe(true);
  expect(await splits({ testProblem: 'mnist_logreg' }, 'r')).toBe(split); // same data set, loaded once
});
