import { ConfigError } from '@pofa/core';
import { z } from 'zod';

/**
 * A layer mapping strategy: `skip`, `last`, `uniform`, or an explicit list of teacher layers
 * (one per student layer, 0 = the embedding output).
 *
 * @example
 * ```ts
 * layerMappingSchema.parse('skip');
 * layerMappingSchema.parse([3, 6, 9, 12]);
 * ```
 */
export const layerMappingSchema = z.union([
  z.enum(['skip', 'last', 'uniform']),
  z.array(z.number().int().nonnegative()),
]);

/** See {@link layerMappingSchema}. */
export type LayerMapping = z.output<typeof layerMappingSchema>;

/** Student layer `studentLayer` learns from teacher layer `teacherLayer` (hidden-state indices, 0 = embeddings). */
export interface LayerPair {
  studentLayer: number;
  teacherLayer: number;
}

function assertLayerCount(value: number, name: string): void {
  if (Number.isInteger(value) && value > 0) return;
  throw new ConfigError(`mapLayers: invalid ${name}`, { expected: 'a positive integer number of layers', received: String(value) });
}

function explicitMapping(studentLayers: number, teacherLayers: number, list: readonly number[]): number[] {
  if (list.length !== studentLayers) {
    throw new ConfigError('mapLayers: the explicit mapping has the wrong length', {
      expected: `one teacher layer for each of the ${studentLayers} student layers`,
      received: `${list.length} entries [${list.join(', ')}]`,
    });
  }
  const bad = list.findIndex((layer) => !Number.isInteger(layer) || layer < 0 || layer > teacherLayers);
  if (bad >= 0) {
    throw new ConfigError(`mapLayers: entry ${bad} of the explicit mapping points past the teacher's layers`, {
      expected: `integers in [0, ${teacherLayers}] (0 is the embedding output, ${teacherLayers} the last layer)`,
      received: String(list[bad]),
    });
  }
  return [...list];
}

/**
 * Which teacher layer each student layer learns from. Layers are numbered as indices into
 * the model's `hidden[]`: 0 is the embedding output, 1..N the transformer layers. For a
 * student of M layers and a teacher of N:
 *
 * - `skip` (BERT-PKD skip, TinyBERT's code): every k-th teacher layer, k = ⌊N/M⌋ → m·k;
 *   6 of 12 gives 2, 4, 6, 8, 10, 12.
 * - `last` (BERT-PKD last): the last M teacher layers, N−M+1 … N; 6 of 12 gives 7 … 12.
 * - `uniform` (TinyBERT's g(m) = m·N/M): round(m·N/M), spread over the whole teacher and
 *   always ending at N; 5 of 12 gives 2, 5, 7, 10, 12 (equal to `skip` when M divides N).
 * - a list of M teacher layers in [0, N], used as given.
 *
 * A student deeper than its teacher needs an explicit list.
 *
 * @example
 * ```ts
 * mapLayers(6, 12, 'skip'); // [{ studentLayer: 1, teacherLayer: 2 }, …, { studentLayer: 6, teacherLayer: 12 }]
 * mapLayers(3, 12, [4, 8, 12]);
 * ```
 */
export function mapLayers(studentLayers: number, teacherLayers: number, strategy: LayerMapping): LayerPair[] {
  assertLayerCount(studentLayers, 'studentLayers');
  assertLayerCount(teacherLayers, 'teacherLayers');
  let targets: number[];
  if (Array.isArray(strategy)) {
    targets = explicitMapping(studentLayers, teacherLayers, strategy);
  } else {
    if (studentLayers > teacherLayers) {
      throw new ConfigError(`mapLayers: a ${studentLayers}-layer student cannot use "${strategy}" on a ${teacherLayers}-layer teacher`, {
        expected: `at most ${teacherLayers} student layers`,
        received: String(studentLayers),
        hint: 'Give an explicit list of teacher layers, one per student layer',
      });
    }
    const layers = Array.from({ length: studentLayers }, (_, index) => index + 1);
    const stride = Math.floor(teacherLayers / studentLayers);
    if (strategy === 'skip') targets = layers.map((layer) => layer * stride);
    else if (strategy === 'last') targets = layers.map((layer) => teacherLayers - studentLayers + layer);
    else if (strategy === 'uniform') targets = layers.map((layer) => Math.round((layer * teacherLayers) / studentLayers));
    else {
      throw new ConfigError('mapLayers: unknown strategy', {
        expected: 'skip, last, uniform or a list of teacher layers',
        received: JSON.stringify(strategy),
      });
    }
  }
  return targets.map((teacherLayer, index) => ({ studentLayer: index + 1, teacherLayer }));
}
