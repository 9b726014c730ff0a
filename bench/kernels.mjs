// Benchmark: the replacement wasm MaxPoolGrad (packages/core/src/kernels/max-pool-grad.ts) against tfjs's stock
// wasm kernel, on the same inputs in the same process, at the pooling shapes of DeepOBS problems.
// Run: npx tsc -p packages/core/tsconfig.build.json && node bench/kernels.mjs [repeats]
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
const { REPLACEMENT_KERNELS } = require(kernelsPath);

const repeats = Number(process.argv[2] ?? 7);
const CASES = [
  { name: 'platform-notes CNN: 2×2/2 same, 128×28×28×32', shape: [128, 28, 28, 32], size: 2, stride: 2, pad: 'same' },
  { name: 'mnist_2c2d pool 2: 2×2/2 same, 128×14×14×64', shape: [128, 14, 14, 64], size: 2, stride: 2, pad: 'same' },
  { name: 'cifar10_3c3d pool 1: 3×3/2 same, 128×28×28×64', shape: [128, 28, 28, 64], size: 3, stride: 2, pad: 'same' },
];

await tf.setBackend('wasm');
await tf.ready();
tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
const stock = tf.getKernel('MaxPoolGrad', 'wasm');
const replacement = REPLACEMENT_KERNELS.find((k) => k.kernelName === 'MaxPoolGrad' && k.backendName === 'wasm');

function use(config) {
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel(config);
}

function timeOnce(inputs, attrs) {
  const start = performance.now();
  const dx = tf.engine().runKernel('MaxPoolGrad', inputs, attrs);
  dx.dataSync();
  const ms = performance.now() - start;
  return { ms, dx };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`MaxPoolGrad on wasm, ${os.cpus().length} cores, Node ${process.version}, median of ${repeats} (alternating)`);
for (const c of CASES) {
  const input = tf.randomNormal(c.shape, 0, 1, 'float32', 1);
  const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad };
  const output = tf.maxPool(input, c.size, c.stride, c.pad);
  const dy = tf.randomNormal(output.shape, 0, 1, 'float32', 2);
  const inputs = { dy, input, output };
  const times = { stock: [], replacement: [] };
  let differing = 0;
  for (let r = 0; r < repeats; r++) {
    use(stock);
    const a = timeOnce(inputs, attrs);
    use(replacement);
    const b = timeOnce(inputs, attrs);
    differing = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(a.dx, b.dx), 'int32')).dataSync()[0]);
    times.stock.push(a.ms);
    times.replacement.push(b.ms);
    tf.dispose([a.dx, b.dx]);
  }
  const s = median(times.stock);
  const m = median(times.replacement);
  console.log(
    `${c.name}: stock ${s.toFixed(1)} ms, replacement ${m.toFixed(1)} ms, speed-up ${(s / m).toFixed(1)}×` +
      ` (dx differs at ${differing} of ${input.size} positions: the stock kernel drops windows whose maximum is negative)`,
  );
  tf.dispose([input, output, dy]);
}
use(replacement);
