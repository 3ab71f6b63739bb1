import { tf } from '@pofa/core';
import { describeLossConformance } from '@pofa/core/testing/vitest';
import {
  attentionKlSpecification,
  attentionMseSpecification,
  cosineEmbeddingLossSpecification,
  hiddenMseSpecification,
  kdCrossEntropySpecification,
  kdKlDivergenceSpecification,
  logitsMseSpecification,
  pkdLossSpecification,
  valueRelationKlSpecification,
} from './loss-specifications';

// Every loss through @pofa/core's DistillationLoss v1 conformance suite, with padding masks.
const tokenMask = () => tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]);
const attentionMask = () => tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]]);

describeLossConformance(kdCrossEntropySpecification, { options: { temperature: 2 }, shape: [2, 5, 8], mask: tokenMask, backend: 'cpu' });
describeLossConformance(kdKlDivergenceSpecification, { options: { temperature: 2 }, shape: [2, 5, 8], mask: tokenMask, backend: 'cpu' });
describeLossConformance(kdKlDivergenceSpecification, { options: {}, shape: [4, 3], backend: 'cpu' });
describeLossConformance(logitsMseSpecification, { options: {}, shape: [4, 3], backend: 'cpu' });
describeLossConformance(hiddenMseSpecification, { options: {}, shape: [2, 5, 8], mask: tokenMask, backend: 'cpu' });
describeLossConformance(cosineEmbeddingLossSpecification, { options: {}, shape: [2, 5, 8], mask: tokenMask, backend: 'cpu' });
describeLossConformance(pkdLossSpecification, { options: {}, shape: [2, 5, 8], backend: 'cpu' });
describeLossConformance(attentionMseSpecification, { options: {}, shape: [2, 2, 4, 4], mask: attentionMask, backend: 'cpu' });
// The suite feeds signed values, not distributions, so KL may go negative there: only the
// non-negativity claim (which holds for probabilities) is waived.
describeLossConformance(attentionKlSpecification, { options: {}, shape: [2, 2, 4, 4], mask: attentionMask, nonNegative: false, backend: 'cpu' });
describeLossConformance(valueRelationKlSpecification, { options: {}, shape: [2, 2, 4, 3], mask: attentionMask, backend: 'cpu' });
describeLossConformance(valueRelationKlSpecification, { options: {}, shape: [2, 2, 4, 3], teacherShape: [2, 2, 4, 6], zeroWhenEqual: false, backend: 'cpu' });
