import { ConfigError, tf } from '@pofa/core';
import { z } from 'zod';
import type { ModelConfig } from './config/presets';
import { TASK_NAMES, type TaskName } from './features';
import { createModel, type EncoderModel } from './model';

/** Options of {@link initStudentFromTeacher}. */
export const studentInitOptionsSchema = z
  .object({
    /**
     * Which teacher layer each student layer copies (zero-based), or a rule:
     * `skip` — every other layer ending at the last: student i ← teacher ⌊(i+1)·T/S⌋ − 1
     * (12 → 6: 1, 3, 5, 7, 9, 11; BERT-PKD-skip style);
     * `last` — the top S layers (12 → 6: 6 … 11);
     * `first` — the bottom S layers (12 → 6: 0 … 5).
     * DistilBERT's own choice from BERT-base was `[0, 2, 4, 7, 9, 11]`: pass it explicitly.
     */
    layers: z.union([z.array(z.number().int().min(0)), z.enum(['skip', 'last', 'first'])]),
    /** The student's head (default: the teacher's). */
    task: z.enum(TASK_NAMES as [TaskName, ...TaskName[]]).optional(),
    /** Seed of the weights that are not copied (default 0). */
    seed: z.number().int().default(0),
  })
  .strict();

export type StudentInitOptions = z.input<typeof studentInitOptionsSchema>;

/** What {@link initStudentFromTeacher} returns. */
export interface StudentInitResult {
  student: EncoderModel;
  /** The teacher layer each student layer was copied from. */
  teacherLayers: number[];
  /** Student parameters left at their initial values (no teacher counterpart, or another head shape). */
  skipped: string[];
}

/**
 * The teacher layer of each student layer for a rule or an explicit list; a list of the
 * wrong length or pointing past the teacher is a `ConfigError`.
 *
 * @example
 * ```ts
 * studentLayerMap(12, 6, 'skip'); // [1, 3, 5, 7, 9, 11]
 * studentLayerMap(12, 4, 'last'); // [8, 9, 10, 11]
 * ```
 */
export function studentLayerMap(teacherLayers: number, studentLayers: number, layers: StudentInitOptions['layers']): number[] {
  let map: number[];
  if (layers === 'skip') map = Array.from({ length: studentLayers }, (_, i) => Math.floor(((i + 1) * teacherLayers) / studentLayers) - 1);
  else if (layers === 'last') map = Array.from({ length: studentLayers }, (_, i) => teacherLayers - studentLayers + i);
  else if (layers === 'first') map = Array.from({ length: studentLayers }, (_, i) => i);
  else map = [...layers];
  if (map.length !== studentLayers) {
    throw new ConfigError('The layer mapping does not cover the student', {
      expected: `${studentLayers} teacher layer indices (one per student layer)`,
      received: JSON.stringify(map),
    });
  }
  const past = map.find((index) => index < 0 || index >= teacherLayers);
  if (past !== undefined) {
    throw new ConfigError('The layer mapping points past the teacher', {
      expected: `teacher layer indices in [0, ${teacherLayers - 1}] (zero-based)`,
      received: `${past} in ${JSON.stringify(map)}`,
    });
  }
  return map;
}

/** BERT names → DistilBERT names, for a DistilBERT student of a BERT teacher (DistilBERT's own recipe). */
const BERT_TO_DISTILBERT: ReadonlyArray<readonly [string, string]> = [
  ['attention.self.query.', 'attention.q_lin.'],
  ['attention.self.key.', 'attention.k_lin.'],
  ['attention.self.value.', 'attention.v_lin.'],
  ['attention.output.dense.', 'attention.out_lin.'],
  ['attention.output.LayerNorm.', 'sa_layer_norm.'],
  ['intermediate.dense.', 'ffn.lin1.'],
  ['output.dense.', 'ffn.lin2.'],
  ['output.LayerNorm.', 'output_layer_norm.'],
  ['cls.predictions.transform.dense.', 'vocab_transform.'],
  ['cls.predictions.transform.LayerNorm.', 'vocab_layer_norm.'],
  ['cls.predictions.bias', 'vocab_projector.bias'],
];

function layerPrefix(model: EncoderModel): string {
  return model.family === 'bert' ? 'encoder.layer.' : 'transformer.layer.';
}

/** The teacher parameter name a student parameter copies from. */
function teacherName(name: string, teacher: EncoderModel, student: EncoderModel, map: number[]): string {
  const studentPrefix = layerPrefix(student);
  let layer: number | undefined;
  let rest = name;
  if (name.startsWith(studentPrefix)) {
    const [index, ...tail] = name.slice(studentPrefix.length).split('.');
    layer = Number(index);
    rest = tail.join('.');
  }
  if (teacher.family === 'bert' && student.family === 'distilbert') {
    const pair = BERT_TO_DISTILBERT.find(([, distilName]) => rest.startsWith(distilName));
    if (pair !== undefined) rest = pair[0] + rest.slice(pair[1].length);
  }
  return layer === undefined ? rest : `${layerPrefix(teacher)}${map[layer]}.${rest}`;
}

/**
 * Builds a student from `studentConfig` and copies from the teacher: the embeddings, the
 * chosen teacher layers, and the pooler and head when the teacher has them with the same
 * shapes. Copies are of the effective weights (a pruned teacher gives pruned weights). A
 * DistilBERT student of a BERT teacher gets DistilBERT's renaming (token type embeddings
 * dropped). Hidden width, FFN width or vocabulary that differ are a `ConfigError`.
 *
 * @example
 * ```ts
 * const { student } = initStudentFromTeacher(teacher, presetConfig('distilbert-base-uncased'), { layers: [0, 2, 4, 7, 9, 11] });
 * ```
 */
export function initStudentFromTeacher(teacher: EncoderModel, studentConfig: ModelConfig, options: StudentInitOptions): StudentInitResult {
  const parsed = studentInitOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid student initialisation options', { expected: 'layers, task, seed', received: parsed.error.issues[0].message });
  }
  if (teacher.family === 'distilbert' && studentConfig.model_type === 'bert') {
    throw new ConfigError('Cannot initialise a BERT student from a DistilBERT teacher', {
      expected: 'a student of the teacher\'s family, or a DistilBERT student of a BERT teacher',
      received: 'a DistilBERT teacher and a BERT student config',
    });
  }
  const student = createModel(studentConfig, { task: parsed.data.task ?? teacher.task, seed: parsed.data.seed });
  try {
    if (student.hiddenSize !== teacher.hiddenSize) {
      throw new ConfigError('Student and teacher widths differ', {
        expected: `hidden size ${teacher.hiddenSize} (the teacher's)`,
        received: String(student.hiddenSize),
        hint: 'Copying layers needs equal widths; use a projection in the distillation loss instead',
      });
    }
    const map = studentLayerMap(teacher.numLayers, student.numLayers, parsed.data.layers);
    const teacherParameters = new Map(teacher.namedParameters());
    const skipped: string[] = [];
    const isHead = (name: string): boolean => !name.startsWith('embeddings.') && !name.startsWith(layerPrefix(student));
    for (const [name, parameter] of student.namedParameters()) {
      const source = teacherParameters.get(teacherName(name, teacher, student, map));
      const fits = source !== undefined && tf.util.arraysEqual(source.shape, parameter.shape);
      if (!fits) {
        if (isHead(name)) {
          skipped.push(name);
          continue;
        }
        throw new ConfigError(`Cannot copy ${name} from the teacher`, {
          expected: `shape [${parameter.shape.join(', ')}]`,
          received: source === undefined ? 'no such teacher parameter' : `shape [${source.shape.join(', ')}]`,
          hint: 'The student must match the teacher in hidden size, FFN size, vocabulary and positions',
        });
      }
      tf.tidy(() => parameter.assign(source.value()));
    }
    student.train(teacher.training);
    return { student, teacherLayers: map, skipped };
  } catch (error) {
    student.dispose();
    throw error;
  }
}
