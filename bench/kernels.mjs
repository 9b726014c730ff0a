// Benchmark: core's replacement kernels (packages/core/src/kernels/) against tfjs's stock kernel of the same name,
// on the same inputs, alternating, in one process, at the shapes of DeepOBS problems. tfjs-wasm has no
// Conv2DBackpropFilter at all; there, and for every convolution gradient, the forward Conv2D of the same layer
// is printed as a yardstick (a gradient costs as many multiply-adds as the forward convolution).
// Run: npx tsc -p packages/core/tsconfig.build.json && node bench/kernels.mjs [repeats] [--backend wasm|cpu]
//        [--batch 128] [--only MaxPoolGrad,Conv2DBackpropInput,Conv2DBackpropFilter,BatchMatMul,Sum]
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import os from 'node:os';

const require = createRequire(import.meta.url);
const kernelsPath = new URL('../packages/core/dist/kernels/index.js', import.meta.url).pathname;
if (!existsSync(kernelsPath)) {
  console.error(`missing ${kernelsPath}: build core first (npx tsc -p packages/core/tsconfig.build.json)`);
  process.exit(1);
}
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const { REPLACEMENT_KERNELS, registerMissingKernels } = require(kernelsPath);

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const repeats = Number(args[0] && !args[0].startsWith('--') ? args[0] : 7);
const backend = option('backend', 'wasm');
const batch = Number(option('batch', 128));
const only = option('only', 'MaxPoolGrad,Conv2DBackpropInput,Conv2DBackpropFilter,BatchMatMul,Sum').split(',');

const CONVS = [
  { name: 'fmnist_2c2d conv1: 5×5 same, 28×28×1 → 32', x: [28, 28, 1], filter: [5, 5, 1, 32], stride: 1, pad: 'same', firstLayer: true },
  { name: 'fmnist_2c2d conv2: 5×5 same, 14×14×32 → 64', x: [14, 14, 32], filter: [5, 5, 32, 64], stride: 1, pad: 'same' },
  { name: 'cifar10_3c3d conv1: 5×5 valid, 32×32×3 → 64', x: [32, 32, 3], filter: [5, 5, 3, 64], stride: 1, pad: 'valid', firstLayer: true },
  { name: 'cifar10_3c3d conv2: 3×3 valid, 14×14×64 → 96', x: [14, 14, 64], filter: [3, 3, 64, 96], stride: 1, pad: 'valid' },
  { name: 'cifar10_3c3d conv3: 3×3 same, 6×6×96 → 128', x: [6, 6, 96], filter: [3, 3, 96, 128], stride: 1, pad: 'same' },
  { name: 'cifar100_allcnnc: 3×3 same stride 2, 32×32×96 → 96', x: [32, 32, 96], filter: [3, 3, 96, 96], stride: 2, pad: 'same' },
];

const CASES = [
  ...[
    { name: 'platform-notes CNN: 2×2/2 same, 28×28×32', shape: [28, 28, 32], size: 2, stride: 2, pad: 'same' },
    { name: 'mnist_2c2d pool 2: 2×2/2 same, 14×14×64', shape: [14, 14, 64], size: 2, stride: 2, pad: 'same' },
    { name: 'cifar10_3c3d pool 1: 3×3/2 same, 28×28×64', shape: [28, 28, 64], size: 3, stride: 2, pad: 'same' },
  ].map((c) => ({
    kernel: 'MaxPoolGrad',
    name: c.name,
    note: 'the stock kernel drops windows whose maximum is negative',
    make() {
      const input = tf.randomNormal([batch, ...c.shape], 0, 1, 'float32', 1);
      const output = tf.maxPool(input, c.size, c.stride, c.pad);
      const dy = tf.randomNormal(output.shape, 0, 1, 'float32', 2);
      return { inputs: { dy, input, output }, attrs: { filterSize: c.size, strides: c.stride, pad: c.pad } };
    },
  })),
  // The first layer's input gradient is never computed in training (the data is no variable).
  ...CONVS.filter((c) => !c.firstLayer).map((c) => ({
    kernel: 'Conv2DBackpropInput',
    name: c.name,
    conv: c,
    make() {
      const { x, filter, dy } = convTensors(c);
      return { inputs: { dy, filter }, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: x.shape }, dispose: [x] };
    },
  })),
  ...CONVS.map((c) => ({
    kernel: 'Conv2DBackpropFilter',
    name: c.name,
    conv: c,
    make() {
      const { x, filter, dy } = convTensors(c);
      return { inputs: { x, dy }, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter }, dispose: [filter] };
    },
  })),
  ...[
    { name: 'fmnist_2c2d dense1 weight gradient: [batch, 3136]ᵀ·[batch, 1024]', a: [batch, 3136], b: [batch, 1024], transposeA: true, transposeB: false },
    { name: 'fmnist_2c2d dense1 input gradient: [batch, 1024]·[3136, 1024]ᵀ', a: [batch, 1024], b: [3136, 1024], transposeA: false, transposeB: true },
    { name: 'mnist_mlp dense1 forward: [batch, 784]·[784, 1000]', a: [batch, 784], b: [784, 1000], transposeA: false, transposeB: false },
  ].map((c) => ({
    kernel: 'BatchMatMul',
    name: c.name,
    make() {
      const a = tf.randomNormal(c.a, 0, 1, 'float32', 1);
      const b = tf.randomNormal(c.b, 0, 1, 'float32', 2);
      return { inputs: { a, b }, attrs: { transposeA: c.transposeA, transposeB: c.transposeB } };
    },
  })),
  ...[
    { name: 'cifar10_3c3d conv1 bias gradient: 128×28×28×64 over the first three axes', shape: [batch, 28, 28, 64], axis: [0, 1, 2] },
    { name: 'fmnist_2c2d conv2 bias gradient: 128×14×14×64 over the first three axes', shape: [batch, 14, 14, 64], axis: [0, 1, 2] },
  ].map((c) => ({
    kernel: 'Sum',
    name: c.name,
    make: () => ({ inputs: { x: tf.randomNormal(c.shape, 0, 1, 'float32', 1) }, attrs: { axis: c.axis, keepDims: false } }),
  })),
].filter((c) => only.includes(c.kernel) && REPLACEMENT_KERNELS.some((k) => k.kernelName === c.kernel && k.backendName === backend));

function convTensors(c) {
  const x = tf.randomNormal([batch, ...c.x], 0, 1, 'float32', 1);
  const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 2);
  const outShape = tf.backend_util.computeConv2DInfo(x.shape, c.filter, c.stride, 1, c.pad).outShape;
  return { x, filter, dy: tf.randomNormal(outShape, 0, 1, 'float32', 3) };
}

await tf.setBackend(backend);
await tf.ready();
tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
// Replacements that hand some cases to the stock kernel find it where registration kept it.
const stockKernels = new Map(REPLACEMENT_KERNELS.map((k) => [k.kernelName, tf.getKernel(k.kernelName, backend)]));
registerMissingKernels(backend);

function use(kernelName, config) {
  if (tf.getKernel(kernelName, backend)) tf.unregisterKernel(kernelName, backend);
  if (config) tf.registerKernel(config);
}

function timeOnce(run) {
  const start = performance.now();
  const out = run();
  out.dataSync();
  return { ms: performance.now() - start, out };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Largest difference relative to the largest magnitude of the stock result. */
function relativeDifference(expected, actual) {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(expected, actual))).div(tf.max(tf.abs(expected))).dataSync()[0]);
}

console.log(`${backend} backend, batch ${batch}, ${os.cpus().length} cores, Node ${process.version}, median of ${repeats} (alternating)`);
for (const kernelName of [...new Set(CASES.map((c) => c.kernel))]) {
  const stock = stockKernels.get(kernelName);
  const replacement = REPLACEMENT_KERNELS.find((k) => k.kernelName === kernelName && k.backendName === backend);
  console.log(`\n${kernelName}${stock ? '' : ` (tfjs-${backend} has none)`}`);
  for (const c of CASES.filter((k) => k.kernel === kernelName)) {
    const { inputs, attrs, dispose = [] } = c.make();
    // Fresh copies for every call, as in training: wasm caches the packed right operand of a product or
    // convolution per tensor, which would flatter every repetition after the first.
    const run = () => {
      const fresh = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tf.mul(t, 1)]));
      const start = performance.now();
      const out = tf.engine().runKernel(kernelName, fresh, attrs);
      out.dataSync();
      const ms = performance.now() - start;
      tf.dispose(Object.values(fresh));
      return { ms, out };
    };
    const forward = c.conv && (() => tf.conv2d(c.kernel === 'Conv2DBackpropInput' ? tf.zeros(attrs.inputShape) : inputs.x, tf.mul(inputs.filter ?? dispose[0], 1), c.conv.stride, c.conv.pad));
    const times = { stock: [], replacement: [], forward: [] };
    let difference = NaN;
    for (let r = 0; r < repeats; r++) {
      let a;
      if (stock) {
        use(kernelName, stock);
        a = run();
        times.stock.push(a.ms);
      }
      use(kernelName, replacement);
      const b = run();
      times.replacement.push(b.ms);
      if (a) difference = relativeDifference(a.out, b.out);
      if (forward) {
        const f = timeOnce(() => tf.tidy(forward));
        times.forward.push(f.ms);
        tf.dispose(f.out);
      }
      tf.dispose([a?.out ?? [], b.out]);
    }
    const s = median(times.stock ?? []);
    const m = median(times.replacement);
    const parts = [
      stock ? `stock ${s.toFixed(1)} ms` : null,
      `replacement ${m.toFixed(1)} ms`,
      stock ? `speed-up ${(s / m).toFixed(1)}×` : null,
      forward ? `forward Conv2D ${median(times.forward).toFixed(1)} ms` : null,
      stock ? `largest difference ${difference.toExponential(1)} of the largest value${c.note ? ` (${c.note})` : ''}` : null,
    ];
    console.log(`  ${c.name}: ${parts.filter(Boolean).join(', ')}`);
    tf.dispose([...Object.values(inputs), ...dispose]);
  }
}
