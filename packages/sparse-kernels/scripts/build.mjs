#!/usr/bin/env node
// Builds the package: the native addon with node-gyp (from binding.gyp, against the local Node
// headers, never downloading them), then the TypeScript with tsup. A machine without a C++
// compiler or Node headers still gets the TypeScript build, and the package then runs on its
// portable kernels. `--native-only` / `--ts-only` run one half; POFA_REQUIRE_NATIVE=1 makes a
// failed native build fail the script.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));
const require = createRequire(import.meta.url);

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

function quiet(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Node's headers: npm's nodedir, then the prefix of this node binary, then /usr. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, quiet('npm', ['config', 'get', 'nodedir']), dirname(dirname(process.execPath)), '/usr'];
  return candidates.find((dir) => dir && dir !== 'undefined' && existsSync(join(dir, 'include', 'node', 'node_api.h')));
}

function buildNative() {
  const compiler = process.env.CXX ?? 'c++';
  if (quiet(compiler, ['--version']) === undefined) return `no C++ compiler (${compiler}) was found`;
  const nodeDir = findNodeDir();
  if (nodeDir === undefined) return 'no Node headers (include/node/node_api.h) were found; set npm_config_nodedir';
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const jobs = ['--jobs', 'max'];
  // binding.gyp lives in native/, not the package root, so that package managers do not run an
  // implicit `node-gyp rebuild` at install time (pnpm ignores `gypfile: false`).
  if (!run(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, ...jobs], { cwd: join(root, 'native') })) return 'node-gyp failed (see its output above)';
  return undefined;
}

if (!args.has('--ts-only')) {
  const failure = buildNative();
  if (failure !== undefined) {
    console.warn(`\n@pofa/sparse-kernels: the native addon was not built: ${failure}.\nThe package will use its portable TypeScript kernels.\n`);
    if (process.env.POFA_REQUIRE_NATIVE === '1') process.exit(1);
  } else {
    console.log('@pofa/sparse-kernels: built native/build/Release/pofa_sparse_kernels.node');
  }
}
if (!args.has('--native-only')) {
  if (!run(process.execPath, [require.resolve('tsup/dist/cli-default.js')])) process.exit(1);
}
