import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints } from './checkpoint-files';

// The child imports the built package (dist/index.js; turbo builds core before its tests).
const script = fileURLToPath(new URL('./__fixtures__/kill-resume-child.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'pofa-kill-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

interface RunOutput {
  steps: number;
  resumedFrom: number | null;
  finalLoss: number;
  weights: Record<string, number[]>;
}

/** Runs the child; `killWhen` is polled every 10 ms and, once true, the child gets SIGKILL. */
function runChild(args: string[], killWhen?: () => Promise<boolean>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (killWhen !== undefined) {
      const poll = async () => {
        if (await killWhen()) child.kill('SIGKILL');
        else timer = setTimeout(poll, 10);
      };
      timer = setTimeout(poll, 10);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function readOutput(file: string): RunOutput {
  return JSON.parse(readFileSync(file, 'utf8')) as RunOutput;
}

describe('Trainer kill-and-resume (child processes)', () => {
  it('a run killed with SIGKILL after a checkpoint resumes to exactly the weights of an uninterrupted run', async () => {
    const straightDir = join(scratch, 'straight');
    const straightOut = join(scratch, 'straight.json');
    const straight = await runChild([straightDir, straightOut]);
    expect(straight.stderr).toBe('');
    expect(straight.code).toBe(0);
    const expected = readOutput(straightOut);
    expect(expected.steps).toBe(40);
    expect(expected.resumedFrom).toBeNull();

    // Slow steps (30 ms each) so the run is still going when the first checkpoint lands;
    // kill it a few steps later, in the middle of whatever it is doing.
    const dir = join(scratch, 'killed');
    const out = join(scratch, 'killed.json');
    let seenAt: number | undefined;
    const killed = await runChild([dir, out, '--delay-ms=30'], async () => {
      if (seenAt === undefined && (await listCheckpoints(dir)).length > 0) seenAt = Date.now();
      return seenAt !== undefined && Date.now() - seenAt >= 70;
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const left = (await listCheckpoints(dir)).map((found) => found.step);
    expect(left.length).toBeGreaterThan(0);
    expect(Math.max(...left)).toBeLessThan(40);

    const resumed = await runChild([dir, out, '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const actual = readOutput(out);
    expect(actual.resumedFrom).toBe(Math.max(...left));
    expect(actual.steps).toBe(40);
    // Exact equality: same float32 operations on the same backend from the same state.
    expect(actual.weights).toEqual(expected.weights);
    expect(actual.finalLoss).toBe(expected.finalLoss);
  });
});
