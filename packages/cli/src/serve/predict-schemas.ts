import type { BundleTask } from '@pofa/sparse-kernels';

/** Limits on one prediction request (besides the body size, which Fastify enforces). */
export interface InputLimits {
  /** Most inputs (texts, pairs, questions) in one request. */
  maxInputs: number;
  /** Most characters in one text (a question, a context). */
  maxInputChars: number;
}

/** A JSON schema (the subset the predict bodies use). */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON schema of `POST /v1/predict` for a bundle's task: `{ "inputs": "text" | ["text", ...] }`
 * (classification; `"parameters": { "topK": k }` optional), `{ "inputs": [["text", "pair"], ...] }`
 * (pair classification), texts or pairs (regression), and `{ "question", "context" }` or
 * `{ "inputs": [{ "question", "context" }, ...] }` (question answering). Texts must hold a
 * non-space character and fit `maxInputChars`; lists hold 1 to `maxInputs` items; nothing else
 * may be in the body.
 *
 * @example
 * ```ts
 * predictBodySchema({ kind: 'classification', labels: ['ham', 'spam'] }, { maxInputs: 256, maxInputChars: 100_000 });
 * ```
 */
export function predictBodySchema(task: BundleTask, limits: InputLimits): JsonSchema {
  const text = { type: 'string', minLength: 1, maxLength: limits.maxInputChars, pattern: '\\S' };
  const list = (items: JsonSchema) => ({ type: 'array', minItems: 1, maxItems: limits.maxInputs, items });
  const pair = { type: 'array', minItems: 2, maxItems: 2, items: text };
  const envelope = (inputs: JsonSchema, extra: Record<string, JsonSchema> = {}) => ({
    type: 'object',
    required: ['inputs'],
    additionalProperties: false,
    properties: { inputs, ...extra },
  });
  switch (task.kind) {
    case 'classification': {
      const parameters = { type: 'object', additionalProperties: false, properties: { topK: { type: 'integer', minimum: 1, maximum: task.labels.length } } };
      return envelope({ anyOf: [text, list(text)] }, { parameters });
    }
    case 'pair-classification': {
      const parameters = { type: 'object', additionalProperties: false, properties: { topK: { type: 'integer', minimum: 1, maximum: task.labels.length } } };
      return envelope(list(pair), { parameters });
    }
    case 'regression':
      return envelope({ anyOf: [text, list({ anyOf: [text, pair] })] });
    case 'span': {
      const question = { type: 'object', required: ['question', 'context'], additionalProperties: false, properties: { question: text, context: text } };
      return { anyOf: [question, envelope(list(question))] };
    }
  }
}

/** One input of a request, as the batch queue carries it. */
export type PredictItem = string | readonly [string, string] | { question: string; context: string };

/**
 * The inputs of a validated request body, as a list (a single text or question becomes one item).
 *
 * @example
 * ```ts
 * predictItems({ kind: 'span', ... }, { question: 'Who?', context: 'Ishmael.' }); // [{ question: 'Who?', context: 'Ishmael.' }]
 * ```
 */
export function predictItems(task: BundleTask, body: Record<string, unknown>): PredictItem[] {
  if (task.kind === 'span' && body.inputs === undefined) return [{ question: body.question as string, context: body.context as string }];
  return Array.isArray(body.inputs) ? (body.inputs as PredictItem[]) : [body.inputs as PredictItem];
}

/** What Fastify's validator reports of one schema violation (the ajv fields read here). */
export interface SchemaViolation {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * One line for a failed validation: the violation deepest in the body (the most specific),
 * `anyOf`'s own summary left out; type mismatches at one place merged (`must be string or
 * array`).
 *
 * @example
 * ```ts
 * formatSchemaErrors([{ keyword: 'type', instancePath: '/inputs', message: 'must be string', params: { type: 'string' } },
 *   { keyword: 'type', instancePath: '/inputs', message: 'must be array', params: { type: 'array' } }], 'body');
 * // 'body/inputs must be string or array'
 * ```
 */
export function formatSchemaErrors(errors: readonly SchemaViolation[], dataVar: string): string {
  const specific = errors.filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf');
  if (specific.length === 0) return `${dataVar} does not match the request schema`;
  const depth = (error: SchemaViolation) => error.instancePath.split('/').length;
  const deepest = Math.max(...specific.map(depth));
  const here = specific.filter((error) => depth(error) === deepest);
  const where = `${dataVar}${here[0].instancePath}`;
  const other = here.find((error) => error.keyword !== 'type');
  if (other !== undefined) return `${where} ${other.message ?? 'is invalid'}`;
  const types = [...new Set(here.map((error) => String(error.params?.type)))];
  return `${where} must be ${types.join(' or ')}`;
}
