import * as tf from '@tensorflow/tfjs';
import { avgPoolGradConfig } from './avg_pool_grad.js';
import { avgPoolGradGradConfig } from './avg_pool_grad_grad.js';
import { comparisonGradConfigs } from './comparison_grads.js';
import { conv2DBackpropFilterGradConfig } from './conv2d_backprop_filter_grad.js';
import { expGradConfig } from './exp_grad.js';
import { maxPoolGradConfig } from './max_pool_grad.js';
import { maxPoolGradGradConfig } from './max_pool_grad_grad.js';
import { maxGradConfig, minGradConfig } from './min_max_grad.js';
import { sigmoidGradConfig } from './sigmoid_grad.js';
import { softmaxGradConfig } from './softmax_grad.js';
import { tanhGradConfig } from './tanh_grad.js';

/**
 * Every gradient that double backprop in tfjs 4.22 gets wrong (silently) or lacks (it throws), and AvgPool's, whose
 * first derivative is wrong where 'same' padding cuts a window.
 */
export const SECOND_ORDER_GRADIENTS: readonly tf.GradConfig[] = [
  expGradConfig,
  sigmoidGradConfig,
  tanhGradConfig,
  softmaxGradConfig,
  maxGradConfig,
  minGradConfig,
  maxPoolGradConfig,
  maxPoolGradGradConfig,
  avgPoolGradConfig,
  avgPoolGradGradConfig,
  conv2DBackpropFilterGradConfig,
  ...comparisonGradConfigs,
];

/**
 * Registers the gradients above, replacing tfjs's own (idempotent). They give the same first derivatives as
 * stock tfjs (except the corrected AvgPool with 'same' padding) and correct second derivatives. Ops record which
 * gradient they use when they run, so install before the forward pass that is differentiated; call it at start-up
 * so that training and the engine use the same gradients from the first step.
 */
export function installSecondOrderGradients(): void {
  for (const config of SECOND_ORDER_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
