// The golden loader itself: the converted tfjs model at θ_t on batch t reproduces the original's loss and
// gradient (plain tfjs autodiff, no Cockpit), so layouts, the Flatten permutation and padding are right.
import * as tf from '@tensorflow/tfjs';
import { PROBLEMS, loadGolden } from './golden';
import { batchTensors, buildProblem, setParameters, toGoldenOrder } from './problem';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test.each(PROBLEMS)('%s: loss and gradient of every step match the golden ones', async (name) => {
  const golden = loadGolden(name);
  const p = buildProblem(golden);
  for (const step of golden.steps) {
    setParameters(p, step.params_before);
    const { x, y } = batchTensors(step.batch);
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const out = p.model.apply(x) as tf.Tensor2D;
        if (p.loss === 'mean_squared_error') return tf.mean(tf.square(tf.sub(out, y)));
        return tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, out.shape[1]), tf.logSoftmax(out)), 1))) as tf.Scalar;
      }),
    );
    expect(Math.abs((await value.data())[0] - step.loss)).toBeLessThan(1e-5 * Math.abs(step.loss));
    const ours = await Promise.all(p.model.trainableWeights.map(async (w, k) => toGoldenOrder(p, k, await grads[(w.read() as tf.Variable).name].data())));
    const flat = ours.flat();
    const scale = Math.max(...step.grad.map(Math.abs));
    step.grad.forEach((g, j) => expect(Math.abs(flat[j] - g)).toBeLessThan(1e-5 * scale));
    tf.dispose([x, y, value, ...Object.values(grads)]);
  }
});
