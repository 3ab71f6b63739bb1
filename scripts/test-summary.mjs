// Adds up the JSON reports vitest wrote in every workspace package and prints one plain
// closing line, "N passed, N failed, N skipped". Exits non-zero when a report is missing
// for a package that has tests, or when any test failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'examples'].filter((dir) => existsSync(dir));
const dirs = roots.flatMap((root) => readdirSync(root).map((name) => join(root, name)));
if (existsSync('benchmarks')) dirs.push('benchmarks');
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = [];
for (const dir of dirs) {
  if (!existsSync(join(dir, 'vitest.config.ts'))) continue;
  const report = join(dir, 'test-results.json');
  if (!existsSync(report)) {
    missing.push(dir);
    continue;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + (json.numTodoTests ?? 0);
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
