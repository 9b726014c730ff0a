/** A learning-rate schedule: the factor multiplying the base learning rate during `epoch` (0-based) of `numEpochs`. */
export interface LrScheduleSpec {
  /** Crowded Valley name (its result folder): "none", "cosine", "cosine_wr", "ltr" (long trapezoidal). */
  name: string;
  factor(epoch: number, numEpochs: number): number;
  doc: string;
}
