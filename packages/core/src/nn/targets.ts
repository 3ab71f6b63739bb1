import { ConfigError } from '../errors/config-error';
import type { Module } from './module';
import type { Parameter } from './parameter';

/**
 * The encoder Linear weights the paper prunes — attention Q, K, V and output, FFN in and
 * out — for BERT (`encoder.layer.N...`) and DistilBERT (`transformer.layer.N...`), with or
 * without a `bert.`/`distilbert.` prefix. Embeddings, LayerNorm, biases, the pooler and task
 * heads are left dense.
 */
export const ENCODER_LINEAR_WEIGHTS: readonly string[] = [
  '**.encoder.layer.*.attention.self.query.weight',
  '**.encoder.layer.*.attention.self.key.weight',
  '**.encoder.layer.*.attention.self.value.weight',
  '**.encoder.layer.*.attention.output.dense.weight',
  '**.encoder.layer.*.intermediate.dense.weight',
  '**.encoder.layer.*.output.dense.weight',
  '**.transformer.layer.*.attention.q_lin.weight',
  '**.transformer.layer.*.attention.k_lin.weight',
  '**.transformer.layer.*.attention.v_lin.weight',
  '**.transformer.layer.*.attention.out_lin.weight',
  '**.transformer.layer.*.ffn.lin1.weight',
  '**.transformer.layer.*.ffn.lin2.weight',
];

/** The pooler's dense weight, which the paper's code can optionally prune too. */
export const POOLER_WEIGHT = '**.pooler.dense.weight';

/** A dotted-path pattern: `*` matches one path segment, `**` any number (including none). */
export type TargetPattern = string | RegExp;

function globToRegExp(pattern: string): RegExp {
  const parts = pattern.split('.').map((segment) => {
    if (segment === '**') return '(?:[^.]+\\.)*';
    const body = segment.replace(/[|\\{}()[\]^$+?]/g, '\\$&').replace(/\*/g, '[^.]+');
    return `${body}\\.`;
  });
  return new RegExp(`^${parts.join('').replace(/\\\.$/, '')}$`);
}

/** True when `name` matches the pattern (a glob over dotted paths, or a RegExp). */
export function matchesTarget(name: string, pattern: TargetPattern): boolean {
  return (typeof pattern === 'string' ? globToRegExp(pattern) : pattern).test(name);
}

/** Options choosing the tensors a pruning or quantization modifier acts on. */
export interface TargetOptions {
  include?: readonly TargetPattern[];
  exclude?: readonly TargetPattern[];
}

/**
 * The parameters of `model` whose dotted names match `include` (default
 * {@link ENCODER_LINEAR_WEIGHTS}) and no `exclude` pattern. A pattern list that matches
 * nothing is a ConfigError listing some of the model's names, since it is almost always a typo.
 *
 * @example
 * ```ts
 * const targets = selectTargets(model); // the 6 encoder Linear weights of every layer
 * const withPooler = selectTargets(model, { include: [...ENCODER_LINEAR_WEIGHTS, POOLER_WEIGHT] });
 * ```
 */
export function selectTargets(model: Module, options: TargetOptions = {}): Array<[string, Parameter]> {
  const include = options.include ?? ENCODER_LINEAR_WEIGHTS;
  const exclude = options.exclude ?? [];
  const named = model.namedParameters();
  const selected = named.filter(
    ([name]) => include.some((pattern) => matchesTarget(name, pattern)) && !exclude.some((pattern) => matchesTarget(name, pattern)),
  );
  if (selected.length === 0) {
    throw new ConfigError('The target patterns match no parameter of the model', {
      expected: `a pattern matching names such as ${named.slice(0, 4).map(([name]) => name).join(', ')}`,
      received: `include [${include.map(String).join(', ')}]${exclude.length > 0 ? `, exclude [${exclude.map(String).join(', ')}]` : ''}`,
      hint: '`*` matches one path segment and `**` any number; check the spelling against model.namedParameters()',
    });
  }
  return selected;
}
