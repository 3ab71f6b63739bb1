import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Appends JSON records, one per line, to a file (JSONL).
 *
 * @example
 * ```ts
 * const log: TrainingLog = createTrainingLog('runs/a/log.jsonl');
 * ```
 */
export interface TrainingLog {
  write(record: Record<string, unknown>): void;
}

/**
 * A JSONL log: each record is appended (and flushed by the OS) as it comes, so a killed
 * run keeps everything logged before it died. Without a file, records are dropped.
 *
 * @example
 * ```ts
 * const log = createTrainingLog('runs/a/log.jsonl');
 * log.write({ step: 1, loss: 0.69 });
 * ```
 */
export function createTrainingLog(file?: string): TrainingLog {
  if (file === undefined) return { write: () => {} };
  mkdirSync(dirname(file), { recursive: true });
  return {
    write(record) {
      appendFileSync(file, `${JSON.stringify(record, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value))}\n`);
    },
  };
}
