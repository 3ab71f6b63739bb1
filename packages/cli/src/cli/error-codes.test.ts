// docs/errors.md lists every error code: the default code of each PofaError class in the packages
// (POFA_ and the class name) and every code a thrower chooses (`code: 'POFA_...'`).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from './run-cli';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  }));
  return nested.flat();
}

describe('docs/errors.md', () => {
  it('documents every error code and every exit code', async () => {
    const docs = await readFile(join(root, 'docs', 'errors.md'), 'utf8');
    const codes = new Set<string>();
    for (const path of await sources(join(root, 'packages'))) {
      const text = await readFile(path, 'utf8');
      if (!/extends PofaError|class PofaError/.test(text) && !text.includes("code: 'POFA_")) continue;
      for (const [, name] of text.matchAll(/this\.name = '(\w+)Error'/g)) codes.add(name === 'Pofa' ? 'POFA_ERROR' : `POFA_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`);
      for (const [, code] of text.matchAll(/code: '(POFA_\w+)'/g)) codes.add(code);
    }
    expect(codes.size).toBeGreaterThan(30);
    expect([...codes].filter((code) => !docs.includes(`\`${code}\``))).toEqual([]);
    expect(Object.values(EXIT_CODES).filter((code) => !docs.includes(`| ${code} |`))).toEqual([]);
  });
});
