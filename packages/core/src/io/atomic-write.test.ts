import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemError } from '../errors/file-system-error';
import { PofaError } from '../errors/pofa-error';
import { ConfigError } from '../errors/config-error';
import { makeFolders, writeFileAtomic } from './atomic-write';

describe('writeFileAtomic and makeFolders', () => {
  it('make missing folders and replace a file whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-atomic-'));
    await writeFileAtomic(join(dir, 'a', 'b', 'c.txt'), 'one');
    await writeFileAtomic(join(dir, 'a', 'b', 'c.txt'), 'two');
    expect(await readFile(join(dir, 'a', 'b', 'c.txt'), 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c.txt']);
  });

  it('refuse /proc at once instead of looping (Node 20 mkdir recursive spins there)', async () => {
    const started = Date.now();
    const error = await writeFileAtomic('/proc/self/pofa-x/y.json', '{}').catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(FileSystemError.isInstance(error)).toBe(true);
    expect((error as FileSystemError).code).toBe('POFA_MISSING_FOLDER');
    expect((error as Error).message).toContain('/proc/self/pofa-x');
  });

  it('name a file where a folder goes, and a folder where a file goes, leaving no temporary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-atomic-'));
    await writeFile(join(dir, 'file'), 'keep');
    const underFile = await makeFolders(join(dir, 'file', 'sub')).catch((caught: unknown) => caught);
    expect((underFile as PofaError).code).toBe('POFA_NOT_A_FOLDER');
    await makeFolders(join(dir, 'folder'));
    const onFolder = await writeFileAtomic(join(dir, 'folder'), 'x').catch((caught: unknown) => caught);
    expect((onFolder as PofaError).code).toBe('POFA_IS_A_FOLDER');
    expect((await readdir(dir)).sort()).toEqual(['file', 'folder']);
    expect(await readFile(join(dir, 'file'), 'utf8')).toBe('keep');
  });

  it('give every pofa error a stable code', () => {
    expect(new ConfigError('x').code).toBe('POFA_CONFIG');
    expect(new PofaError('x').code).toBe('POFA_ERROR');
    expect(new ConfigError('x', { code: 'POFA_OUTPUT_EXISTS' }).code).toBe('POFA_OUTPUT_EXISTS');
    expect(FileSystemError.from(Object.assign(new Error('full'), { code: 'ENOSPC' }), 'write', 'a.bin').message).toBe('Cannot write a.bin: no space left on the device of a.bin. Free some space or write to another disk; nothing was left half-written');
  });
});
