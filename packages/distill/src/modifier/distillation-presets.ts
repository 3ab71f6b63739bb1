import { ConfigError } from '@pofa/core';
import { mapLayers } from '../layer-mapping/map-layers';
import type { DistillationConfigInput } from './distillation-config';

/** The preset names of {@link distillationPreset}. */
export const DISTILLATION_PRESET_NAMES = ['prune-ofa', 'distilbert', 'tinybert', 'pkd', 'minilm'] as const;

/** One of {@link DISTILLATION_PRESET_NAMES}. */
export type DistillationPresetName = (typeof DISTILLATION_PRESET_NAMES)[number];

/** The sizes a layer-matching preset needs. */
export interface PresetShape {
  studentLayers: number;
  teacherLayers: number;
  /** Hidden sizes; a projection is added where they differ (TinyBERT). */
  studentHidden?: number;
  teacherHidden?: number;
}

/**
 * A distillation config for a method of the literature, as plain data:
 *
 * - `prune-ofa`: 0.5 · task loss + 0.5 · KL at T = 2 (Zafrir et al. 2021).
 * - `distilbert`: 2 · task (MLM) + 5 · KL at T = 2 + 1 · cosine of the last hidden states (Sanh et al.;
 *   a student narrower than its teacher gets a projection for the cosine).
 * - `tinybert`: MSE of embeddings, of hidden states and attention scores on the `uniform`
 *   mapping (with projections when the widths differ), plus soft cross-entropy at T = 1.
 * - `pkd`: 0.3 · task + 0.7 · KL at T = 10 + 100 · PKD on the [CLS] of skip-mapped layers
 *   (the teacher's last layer is left to the logits, as in BERT-PKD).
 * - `minilm`: attention KL and value-relation KL of the last layers only.
 *
 * @example
 * ```ts
 * distillationPreset('tinybert', { studentLayers: 4, teacherLayers: 12, studentHidden: 312, teacherHidden: 768 });
 * ```
 */
export function distillationPreset(name: DistillationPresetName, shape?: PresetShape): DistillationConfigInput {
  if (name === 'prune-ofa') return { temperature: 2, hardWeight: 0.5, softWeight: 0.5, softLoss: 'distill/kd-kl-divergence' };
  if (shape === undefined) {
    throw new ConfigError(`The ${name} preset needs the layer counts`, {
      expected: '{ studentLayers, teacherLayers, studentHidden?, teacherHidden? }',
      received: 'undefined',
    });
  }
  const { studentLayers: student, teacherLayers: teacher } = shape;
  const projection =
    shape.studentHidden !== undefined && shape.teacherHidden !== undefined && shape.studentHidden !== shape.teacherHidden
      ? { studentDim: shape.studentHidden, teacherDim: shape.teacherHidden }
      : undefined;
  switch (name) {
    case 'distilbert':
      return {
        temperature: 2, hardWeight: 2, softWeight: 5, softLoss: 'distill/kd-kl-divergence',
        intermediate: [{ studentLayer: student, teacherLayer: teacher, feature: 'hidden', loss: 'distill/cosine-embedding', projection }],
      };
    case 'tinybert':
      return {
        temperature: 1, hardWeight: 0, softWeight: 1, softLoss: 'distill/kd-cross-entropy',
        intermediate: [
          { studentLayer: 0, teacherLayer: 0, feature: 'embeddings', loss: 'distill/hidden-mse', projection },
          ...mapLayers(student, teacher, 'uniform').flatMap(({ studentLayer, teacherLayer }) => [
            { studentLayer, teacherLayer, feature: 'hidden' as const, loss: 'distill/hidden-mse', projection },
            { studentLayer, teacherLayer, feature: 'attentionScores' as const, loss: 'distill/attention-mse' },
          ]),
        ],
      };
    case 'pkd':
      return {
        temperature: 10, hardWeight: 0.3, softWeight: 0.7, softLoss: 'distill/kd-kl-divergence',
        intermediate: student < 2 ? [] : mapLayers(student, teacher, 'skip').slice(0, -1).map(({ studentLayer, teacherLayer }) => (
          { studentLayer, teacherLayer, feature: 'hidden' as const, loss: 'distill/pkd', weight: 100 }
        )),
      };
    case 'minilm':
      return {
        hardWeight: 0, softWeight: 0,
        intermediate: [
          { studentLayer: student, teacherLayer: teacher, feature: 'attentionProbs', loss: 'distill/attention-kl' },
          { studentLayer: student, teacherLayer: teacher, feature: 'values', loss: 'distill/value-relation-kl' },
        ],
      };
    default:
      throw new ConfigError('Unknown distillation preset', { expected: DISTILLATION_PRESET_NAMES.join(', '), received: JSON.stringify(name) });
  }
}
