import { describeValue } from '../errors/pofa-error';
import { REGISTRY_KEY_PATTERN } from './registry-key';
import type { SpecificationKind } from './specification-kinds';
import { SPECIFICATION_VERSION } from './specs/plugin-specification';
import { TASK_HEADS } from './specs/task-specification';

type Member = 'function' | 'schema' | 'string';

/** The members each kind must have besides `specificationVersion` and `name`. */
const REQUIRED_MEMBERS: Record<SpecificationKind, Record<string, Member>> = {
  'pruning-method': { optionsSchema: 'schema', computeMask: 'function' },
  'sparsity-schedule': { optionsSchema: 'schema', sparsityAt: 'function' },
  'distillation-loss': { optionsSchema: 'schema', compute: 'function' },
  task: {},
  'model-family': { modelType: 'string', configSchema: 'schema', create: 'function' },
  modifier: { optionsSchema: 'schema', create: 'function' },
};

function hasMember(value: unknown, member: Member): boolean {
  if (member === 'string') return typeof value === 'string' && value !== '';
  if (member === 'function') return typeof value === 'function';
  return typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}

const MEMBER_IN_WORDS: Record<Member, string> = {
  function: 'a function',
  schema: 'a zod schema',
  string: 'a non-empty string',
};

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}

function taskProblems(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!isStringArray(spec.fields) || spec.fields.length === 0) {
    problems.push(`fields: expected a non-empty array of field names, received ${describeValue(spec.fields)}`);
  }
  if (!(TASK_HEADS as readonly unknown[]).includes(spec.head)) {
    problems.push(`head: expected one of ${TASK_HEADS.join(', ')}, received ${describeValue(spec.head)}`);
  }
  if (spec.labels !== undefined && !isStringArray(spec.labels)) {
    problems.push(`labels: expected an array of label names, received ${describeValue(spec.labels)}`);
  }
  if (!isStringArray(spec.metrics) || spec.metrics.length === 0) {
    problems.push(`metrics: expected a non-empty array of metric names, received ${describeValue(spec.metrics)}`);
  } else if (!spec.metrics.includes(spec.primaryMetric as string)) {
    problems.push(`primaryMetric: expected one of the metrics (${spec.metrics.join(', ')}), received ${describeValue(spec.primaryMetric)}`);
  }
  return problems;
}

/**
 * Everything wrong with `spec` as a plugin of `kind`, one line each (empty when valid): the
 * specification version, the name's pattern, and the members the kind requires.
 *
 * @example
 * ```ts
 * specificationProblems('pruning-method', { specificationVersion: 'v2', name: 'acme/x' });
 * // ['specificationVersion: expected "v1", received "v2"', 'optionsSchema: expected a zod schema, ...', ...]
 * ```
 */
export function specificationProblems(kind: SpecificationKind, spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null) return [`expected a plain object spec, received ${describeValue(spec)}`];
  const record = spec as Record<string, unknown>;
  const problems: string[] = [];
  if (record.specificationVersion !== SPECIFICATION_VERSION) {
    problems.push(
      `specificationVersion: expected "${SPECIFICATION_VERSION}", received ${describeValue(record.specificationVersion)}` +
        ' (this @pofa/core understands v1 specs; use a plugin release written for it, or upgrade @pofa/core)',
    );
  }
  if (typeof record.name !== 'string' || !REGISTRY_KEY_PATTERN.test(record.name)) {
    problems.push(`name: expected "scope/name" (lowercase letters, digits, single dashes), received ${describeValue(record.name)}`);
  }
  for (const [member, type] of Object.entries(REQUIRED_MEMBERS[kind])) {
    if (!hasMember(record[member], type)) {
      problems.push(`${member}: expected ${MEMBER_IN_WORDS[type]}, received ${describeValue(record[member])}`);
    }
  }
  if (kind === 'task') problems.push(...taskProblems(record));
  return problems;
}
