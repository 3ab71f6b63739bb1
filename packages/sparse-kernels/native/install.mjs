#!/usr/bin/env node
// The install script of the npm package (`"install"` in package.json). A prebuilt binary under
// prebuilds/<platform>-<arch>/ that loads on this machine is kept; otherwise the addon is built
// from these sources with node-gyp when a C++ compiler exists; otherwise one line says that the
// portable kernels will run. It never fails the install. In a development checkout (src/ beside
// native/) it does nothing: the package's build script builds the addon there.
//
// npm_config_build_from_source=true (`npm install --build-from-source`) builds even where a
// prebuilt binary loads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const native = dirname(fileURLToPath(import.meta.url));
const root = dirname(native);
const require = createRequire(import.meta.url);
const say = (message) => console.log(`@pofa/sparse-kernels: ${message}`);

function prebuildLoads() {
  try {
    const addon = require(require('node-gyp-build').resolve(root));
    return typeof addon.info === 'function';
  } catch {
    return false;
  }
}

/** npm and pnpm hand their bundled node-gyp to install scripts; else a local or global one. */
function nodeGypCommand() {
  const bundled = process.env.npm_config_node_gyp;
  if (bundled && existsSync(bundled)) return [process.execPath, bundled];
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return spawnSync('node-gyp', ['--version']).status === 0 ? ['node-gyp'] : undefined;
  }
}

function buildFromSource() {
  const compiler = process.env.CXX ?? 'c++';
  if (spawnSync(compiler, ['--version']).status !== 0) return `no C++ compiler (${compiler}) was found`;
  const nodeGyp = nodeGypCommand();
  if (nodeGyp === undefined) return 'node-gyp was not found';
  const result = spawnSync(nodeGyp[0], [...nodeGyp.slice(1), 'rebuild', '--jobs', 'max'], { cwd: native, encoding: 'utf8' });
  if (result.status === 0 && existsSync(join(native, 'build', 'Release', 'pofa_sparse_kernels.node'))) return undefined;
  const log = join(native, 'build', 'install.log');
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`);
  return `node-gyp failed (its output: ${log})`;
}

const forced = process.env.npm_config_build_from_source === 'true';
if (existsSync(join(root, 'src'))) process.exit(0);
if (!forced && prebuildLoads()) process.exit(0);
const failure = buildFromSource();
if (failure === undefined) say('no prebuilt binary fits this machine; built the native addon from source.');
else say(`no prebuilt binary fits ${process.platform}-${process.arch} and ${failure}: the portable kernels will run.`);
