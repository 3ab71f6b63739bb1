import { describeLossConformance, describePruningMethodConformance, describeRegistryPluginConformance } from './vitest';
import { hintonKd, mse } from './__fixtures__/toy-losses';
import { block4x1, magnitude } from './__fixtures__/toy-pruning-methods';

// The wrappers as a plugin author uses them: each declares one passing test per check.
describePruningMethodConformance(magnitude, { options: { sparsity: 0.8 }, magnitude: true, backend: 'cpu' });
describePruningMethodConformance(block4x1, { options: { sparsity: 0.5 }, magnitude: true, shapes: [[8, 8]], backend: 'cpu' });
describeLossConformance(mse, { options: {}, shape: [2, 4, 3], backend: 'cpu' });
describeLossConformance(hintonKd, { options: { temperature: 2 }, shape: [4, 6] });
describeRegistryPluginConformance('distillation-loss', mse);

