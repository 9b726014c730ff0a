import { join } from 'node:path';

/** The original DeepOBS 1.1 baselines, kept as a fixture of @flightdeck/core. */
export const BASELINES = join(__dirname, '..', '..', '..', 'core', 'test', 'fixtures', 'deepobs-baselines');
