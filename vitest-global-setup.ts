import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives one package's test run its own temporary folder and deletes it at the end, so a test
 * that forgets its files (real-width checkpoints weigh 150 MB each) cannot fill the disk over
 * repeated runs. The forked test processes inherit TMPDIR, which `os.tmpdir()` reads.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pofa-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
