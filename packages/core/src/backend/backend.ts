import * as tf from '@tensorflow/tfjs';
import { registerMissingKernels } from '../kernels/index.js';

export const BACKEND_NAMES = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

/** Fastest first: `auto` takes the first of these that loads. */
export const AUTO_ORDER: readonly ConcreteBackend[] = ['node-gpu', 'node', 'wasm', 'cpu'];

export interface BackendChoice {
  /** The backend in use. */
  name: ConcreteBackend;
  /** tfjs's own name for it ("tensorflow", "wasm", "cpu"). */
  tfName: string;
  /** Backends tried before it, and why each was not taken. */
  skipped: { name: ConcreteBackend; reason: string }[];
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: ConcreteBackend,
    reason: string,
  ) {
    super(`tfjs backend "${backend}" is not available: ${reason}. ${HINT[backend]}`);
    this.name = 'BackendUnavailableError';
  }
}

const HINT: Record<ConcreteBackend, string> = {
  'node-gpu': 'Install @tensorflow/tfjs-node-gpu (it downloads libtensorflow with CUDA) or choose --backend auto.',
  node: 'Install @tensorflow/tfjs-node (it downloads libtensorflow) or choose --backend auto.',
  wasm: 'Install @tensorflow/tfjs-backend-wasm or choose --backend cpu.',
  cpu: 'The cpu backend ships with @tensorflow/tfjs; check the installation.',
};

const LOADERS: Record<ConcreteBackend, () => Promise<string>> = {
  'node-gpu': async () => {
    require('@tensorflow/tfjs-node-gpu');
    return 'tensorflow';
  },
  node: async () => {
    require('@tensorflow/tfjs-node');
    return 'tensorflow';
  },
  wasm: async () => {
    require('@tensorflow/tfjs-backend-wasm');
    return 'wasm';
  },
  cpu: async () => 'cpu',
};

async function activate(name: ConcreteBackend): Promise<string> {
  let tfName: string;
  try {
    tfName = await LOADERS[name]();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BackendUnavailableError(name, err.code === 'MODULE_NOT_FOUND' ? 'its package is not installed' : err.message);
  }
  const ok = await tf.setBackend(tfName).catch((e: Error) => {
    throw new BackendUnavailableError(name, e.message);
  });
  if (!ok) throw new BackendUnavailableError(name, `tf.setBackend("${tfName}") failed`);
  await tf.ready();
  registerMissingKernels(tfName);
  return tfName;
}

/**
 * Makes `requested` the active tfjs backend. `auto` takes the fastest that loads and says which; a named
 * backend that cannot load is a BackendUnavailableError, never a silent substitute.
 */
export async function selectBackend(requested: BackendName = 'auto'): Promise<BackendChoice> {
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend "${requested}"; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (requested !== 'auto') return { name: requested, tfName: await activate(requested), skipped: [] };
  const skipped: BackendChoice['skipped'] = [];
  for (const name of AUTO_ORDER) {
    try {
      return { name, tfName: await activate(name), skipped };
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message });
    }
  }
  throw new Error(`no tfjs backend could be loaded: ${skipped.map((s) => s.reason).join('; ')}`);
}

/** One line for logs: which backend runs, and what auto passed over. */
export function describeBackend(choice: BackendChoice): string {
  const skipped = choice.skipped.map((s) => `${s.name} (${s.reason.split(':')[1]?.split('.')[0]?.trim() ?? s.reason})`);
  return `tfjs backend: ${choice.name}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`;
}
