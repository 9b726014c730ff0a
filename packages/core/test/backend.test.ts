import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, describeBackend, selectBackend } from '../src/index.js';

describe('backend selection', () => {
  it('auto takes the fastest backend that loads and reports what it skipped', async () => {
    const choice = await selectBackend('auto');
    expect(tf.getBackend()).toBe(choice.tfName);
    const nodeInstalled = (() => {
      try {
        require.resolve('@tensorflow/tfjs-node');
        return true;
      } catch {
        return false;
      }
    })();
    if (!nodeInstalled) {
      expect(choice.name).toBe('wasm');
      expect(choice.skipped.map((s) => s.name)).toEqual(['node-gpu', 'node']);
      expect(describeBackend(choice)).toMatch(/^tfjs backend: wasm; skipped node-gpu/);
    }
  });

  it('a named backend that cannot load is a clear error, not a substitute', async () => {
    let nodeGpu = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      nodeGpu = false;
    }
    if (nodeGpu) return;
    await tf.setBackend('cpu');
    await expect(selectBackend('node-gpu')).rejects.toThrow(BackendUnavailableError);
    await expect(selectBackend('node-gpu')).rejects.toThrow(/not installed.*--backend auto/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('selects cpu and wasm on request and computes the same result on both', async () => {
    const results: number[][] = [];
    for (const name of ['cpu', 'wasm'] as const) {
      const c = await selectBackend(name);
      expect(c.name).toBe(name);
      expect(tf.getBackend()).toBe(name);
      results.push(Array.from(tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync())));
    }
    expect(results[0]).toEqual([19, 22, 43, 50]);
    expect(results[1]).toEqual(results[0]);
  });

  it('rejects an unknown name', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(/unknown backend "gpu"/);
  });
});
