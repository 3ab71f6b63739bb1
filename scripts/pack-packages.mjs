#!/usr/bin/env node
// Packs every published workspace package (the workspace's non-private ones, listed by pnpm) with
// `pnpm pack` (which turns `workspace:*` into versions) and checks each tarball:
//   - it holds package.json, README.md, LICENSE, CHANGELOG.md and dist/, plus, for a package with a
//     native addon, prebuilds/ (linux-x64 and linux-arm64) and the native sources needed to
//     rebuild (native/*.cc|h|inc, native/binding.gyp, native/install.mjs) — and nothing else;
//   - publint finds no error or warning in it;
//   - @arethetypeswrong/cli (profile esm-only: the packages are ESM only) finds no problem in it.
//
//   node scripts/pack-packages.mjs [--out <dir>]   packs into <dir> (default: a temporary one) and checks
//
// `packWorkspace()` is also what scripts/consumer-test.mjs installs from. The prebuilt binaries
// of @pofa/sparse-kernels are made first when missing or older than native/ (scripts/prebuild.mjs).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repository = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/** pnpm as the caller ran it (`pnpm run …`), else the version in package.json's packageManager through npx. */
export function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /pnpm\.c?js$/.test(execPath)) return [process.execPath, execPath];
  const manager = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')).packageManager;
  return ['npx', '--yes', manager];
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${[command, ...args].join(' ')} failed (${result.error?.code ?? `exit ${result.status}`})${output ? `:\n${output}` : ''}`);
  }
  return result.stdout ?? '';
}

/** The published packages of the workspace: { name, dir, manifest }. */
export function publishedPackages() {
  const [pnpm, ...pnpmArgs] = pnpmCommand();
  const listed = JSON.parse(run(pnpm, [...pnpmArgs, 'ls', '-r', '--depth', '-1', '--json'], { cwd: repository }));
  return listed
    .map(({ path }) => ({ dir: path, manifest: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const hasNative = (dir) => existsSync(join(dir, 'native', 'binding.gyp'));

/** True when linux-x64 or linux-arm64 prebuilds are missing or older than a native source file. */
function prebuildsStale(dir) {
  const folders = ['linux-x64', 'linux-arm64'].map((folder) => join(dir, 'prebuilds', folder));
  if (!folders.every((folder) => existsSync(folder) && readdirSync(folder).some((file) => file.endsWith('.node')))) return true;
  const oldest = Math.min(...folders.flatMap((folder) => readdirSync(folder).map((file) => statSync(join(folder, file)).mtimeMs)));
  return readdirSync(join(dir, 'native')).some((file) => /\.(cc|h|inc|gyp)$/.test(file) && statSync(join(dir, 'native', file)).mtimeMs > oldest);
}

/** Packs every published package into `destination`; returns { name, dir, manifest, tarball, files }. */
export function packWorkspace(destination) {
  const [pnpm, ...pnpmArgs] = pnpmCommand();
  return publishedPackages().map((pkg) => {
    if (hasNative(pkg.dir) && prebuildsStale(pkg.dir)) {
      console.log(`${pkg.name}: making the prebuilt binaries (scripts/prebuild.mjs; missing or older than native/)`);
      run(process.execPath, [join(pkg.dir, 'scripts', 'prebuild.mjs')], { cwd: pkg.dir, stdio: 'inherit' });
    }
    const output = run(pnpm, [...pnpmArgs, 'pack', '--json', '--pack-destination', destination], { cwd: pkg.dir });
    const packed = JSON.parse(output.slice(output.indexOf('{')));
    const tarball = resolve(destination, packed.filename.split('/').pop());
    const files = run('tar', ['-tzf', tarball]).split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
    return { ...pkg, tarball, files };
  });
}

/** Why a tarball's file list is not clean: missing required files, or files that should not ship. */
export function tarballProblems({ dir, files }) {
  const native = hasNative(dir);
  const allowed = [
    /^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/,
    /^dist\/.+\.(js|d\.ts|js\.map)$/,
    ...(native ? [/^prebuilds\/[a-z0-9]+-[a-z0-9+]+\/[\w.]+\.node$/, /^native\/[\w-]+\.(cc|h|inc)$/, /^native\/(binding\.gyp|install\.mjs)$/] : []),
  ];
  const required = ['package.json', 'README.md', 'LICENSE', /^dist\//, ...(native ? [/^prebuilds\/linux-x64\//, /^prebuilds\/linux-arm64\//, 'native/binding.gyp'] : [])];
  const problems = files.filter((file) => !allowed.some((pattern) => pattern.test(file))).map((file) => `ships ${file}`);
  for (const need of required) {
    if (!files.some((file) => (typeof need === 'string' ? file === need : need.test(file)))) problems.push(`lacks ${need}`);
  }
  return problems;
}

async function publintProblems({ tarball }) {
  const { publint } = await import(require.resolve('publint'));
  const { formatMessage } = await import(require.resolve('publint/utils'));
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({ pkgDir: 'package', level: 'warning', pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) } });
  return messages.map((message) => `publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
}

function attwProblems({ tarball }) {
  const bin = join(dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, tarball, '--profile', 'esm-only', '--format', 'ascii'], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve(error === null ? [] : [`attw:\n${stdout}${stderr}`]),
    );
  });
}

/** Runs `work(item)` for every item, `limit` at a time; results in order. */
async function mapLimited(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Packs and checks every package; prints one line per package; returns the number of failures. */
export async function checkPackages(destination) {
  const packed = packWorkspace(destination);
  // attw type-checks each tarball with TypeScript: the slow part, run on every core.
  const attw = await mapLimited(packed, availableParallelism(), attwProblems);
  let failures = 0;
  for (const [index, pkg] of packed.entries()) {
    const problems = [...tarballProblems(pkg), ...(await publintProblems(pkg)), ...attw[index]];
    failures += problems.length === 0 ? 0 : 1;
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${pkg.name}: ${pkg.files.length} files${problems.map((problem) => `\n     ${problem}`).join('')}`);
  }
  return failures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const destination = outIndex === -1 ? mkdtempSync(join(tmpdir(), 'pofa-packs-')) : resolve(process.argv[outIndex + 1]);
  const failures = await checkPackages(destination);
  console.log(`tarballs in ${destination}`);
  process.exit(failures === 0 ? 0 : 1);
}
