/**
 * Where progress goes: anything with `write`, a bar when `isTTY` is true.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const stream: ProgressStream = { write: (text) => lines.push(text) };
 * ```
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Options of {@link createProgress}.
 *
 * @example
 * ```ts
 * const options: ProgressReporterOptions = { total: 100, stream: process.stderr, intervalMs: 2000 };
 * ```
 */
export interface ProgressReporterOptions {
  total: number;
  stream: ProgressStream;
  /** Least time between two plain lines (ms); the bar redraws at most every 100 ms. */
  intervalMs?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/**
 * Shows a run's progress.
 *
 * @example
 * ```ts
 * const progress: ProgressReporter = createProgress({ total: 10, stream: process.stderr });
 * ```
 */
export interface ProgressReporter {
  update(step: number, fields: { loss: number; lr: number }): void;
  /** Ends the bar (a newline) or prints the last plain line if it was skipped. */
  done(): void;
}

const BAR_WIDTH = 30;

function describe(step: number, total: number, fields: { loss: number; lr: number }): string {
  return `step ${step}/${total} loss ${fields.loss.toFixed(4)} lr ${fields.lr.toExponential(2)}`;
}

/**
 * A progress bar on a TTY (redrawn in place with `\r`), plain lines elsewhere at most one
 * per `intervalMs` (always the first and the last step), so CI logs stay short.
 *
 * @example
 * ```ts
 * const progress = createProgress({ total: 100, stream: process.stderr });
 * progress.update(1, { loss: 0.69, lr: 1e-4 });
 * progress.done();
 * ```
 */
export function createProgress(options: ProgressReporterOptions): ProgressReporter {
  const { total, stream } = options;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : (options.intervalMs ?? 5000);
  let lastShown = Number.NEGATIVE_INFINITY;
  let pending: string | undefined;
  let drawn = false;

  const show = (step: number, text: string): void => {
    if (tty) {
      const filled = Math.round((BAR_WIDTH * step) / total);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${text}`);
      drawn = true;
    } else {
      stream.write(`${text}\n`);
    }
  };

  return {
    update(step, fields) {
      const text = describe(step, total, fields);
      const time = now();
      if (time - lastShown >= interval || step === total) {
        show(step, text);
        lastShown = time;
        pending = undefined;
      } else {
        pending = text;
      }
    },
    done() {
      if (pending !== undefined && !tty) stream.write(`${pending}\n`);
      if (tty && drawn) stream.write('\n');
      pending = undefined;
      drawn = false;
    },
  };
}
