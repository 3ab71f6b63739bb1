#!/usr/bin/env node
// A dry run of `pnpm release` (= `changeset version`, build, check the tarballs, `changeset
// publish`) that changes nothing here: in a detached git worktree of HEAD it runs
// `changeset version` (the pending changesets become version bumps and CHANGELOG sections of
// each package, versioned independently), then packs each bumped package with the built dist/
// (and prebuilds/) of this checkout and checks that the tarball has the new version and that its
// @pofa dependencies point at the new versions (no `workspace:` left). It stops before
// publishing. Run after `pnpm build`; CI runs it (`pnpm release:dry-run`).
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pnpmCommand, publishedPackages, repository, run } from './pack-packages.mjs';

const started = Date.now();
const pending = readdirSync(join(repository, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
const work = mkdtempSync(join(tmpdir(), 'pofa-release-'));
const tree = join(work, 'tree');
const packs = join(work, 'packs');
let failures = 0;
run('git', ['worktree', 'add', '--detach', '--quiet', tree, 'HEAD'], { cwd: repository });
try {
  const before = publishedPackages();
  const changeset = join(repository, 'node_modules', '@changesets', 'cli', 'bin.js');
  run(process.execPath, [changeset, 'version'], { cwd: tree });
  const left = readdirSync(join(tree, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
  if (left.length > 0) (failures += 1), console.log(`FAIL changeset version left ${left.join(', ')}`);
  const [pnpm, ...pnpmArgs] = pnpmCommand();
  // pnpm pack resolves workspace: ranges from node_modules: link them from the store, offline.
  run(pnpm, [...pnpmArgs, 'install', '--offline', '--frozen-lockfile', '--ignore-scripts', '--reporter=silent'], { cwd: tree });
  const bumped = [];
  for (const pkg of before) {
    const dir = join(tree, relative(repository, pkg.dir));
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.version === pkg.manifest.version) console.log(`     ${pkg.name} ${pkg.manifest.version}: no pending changeset`);
    else bumped.push({ ...pkg, dir, manifest });
  }
  // All packs at once (one pnpm process per package).
  const tarballs = await Promise.all(
    bumped.map(({ dir }) => {
      for (const folder of ['dist', 'prebuilds']) {
        const source = join(repository, relative(tree, dir), folder);
        if (existsSync(source)) cpSync(source, join(dir, folder), { recursive: true });
      }
      return new Promise((resolve, reject) => {
        execFile(pnpm, [...pnpmArgs, 'pack', '--json', '--pack-destination', packs], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
          error ? reject(error) : resolve(join(packs, JSON.parse(stdout.slice(stdout.indexOf('{'))).filename.split('/').pop())),
        );
      });
    }),
  );
  const versionOf = new Map(bumped.map(({ name, manifest }) => [name, manifest.version]));
  for (const pkg of before) if (!versionOf.has(pkg.name)) versionOf.set(pkg.name, pkg.manifest.version);
  bumped.forEach(({ name, dir, manifest, manifest: { version } }, index) => {
    const problems = [];
    if (!readFileSync(join(dir, 'CHANGELOG.md'), 'utf8').includes(`## ${version}`)) problems.push(`CHANGELOG.md has no "## ${version}" section`);
    const packed = JSON.parse(run('tar', ['-xOzf', tarballs[index], 'package/package.json']));
    if (packed.version !== version) problems.push(`the tarball says version ${packed.version}`);
    for (const [dependency, range] of Object.entries({ ...packed.dependencies, ...packed.peerDependencies })) {
      if (String(range).startsWith('workspace:')) problems.push(`${dependency} is still ${range}`);
      if (versionOf.has(dependency) && range !== versionOf.get(dependency)) {
        problems.push(`depends on ${dependency}@${range}, which would be published as ${versionOf.get(dependency)}`);
      }
    }
    failures += problems.length === 0 ? 0 : 1;
    const from = before.find((pkg) => pkg.name === name).manifest.version;
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name} ${from} -> ${manifest.version}${problems.map((problem) => `\n     ${problem}`).join('')}`);
  });
} finally {
  spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: repository });
  rmSync(work, { recursive: true, force: true });
}
console.log(`release dry run: ${pending.length} changesets, ${failures === 0 ? 'ok' : `${failures} failed`} (${((Date.now() - started) / 1000).toFixed(1)} s); nothing was published`);
process.exit(failures === 0 ? 0 : 1);
