#!/usr/bin/env node
// Makes the prebuilt binaries that the npm package ships: `prebuilds/<platform>-<arch>/
// pofa_sparse_kernels.napi[.glibc].node`, one Node-API binary per platform (Node 20, 22, 24), found at
// run time by node-gyp-build (see src/kernels/native-addon.ts). prebuildify runs node-gyp on a
// copy of native/ (so the development build in native/build/ stays as it is) against the Node
// headers already on the machine (never downloaded).
//
//   node scripts/prebuild.mjs                 this machine's platform, plus linux-arm64 on linux-x64
//   node scripts/prebuild.mjs --arch x64      one architecture (repeatable)
//
// linux-arm64 is cross-compiled with Debian's g++-aarch64-linux-gnu (`AARCH64_CXX` overrides the
// compiler). darwin and win32 prebuilds come from runners of those systems running this script
// and are copied into prebuilds/ before packing (see README, "Prebuilt binaries").
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch as hostArch, platform as hostPlatform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function argValues(name) {
  const values = [];
  process.argv.forEach((value, index) => process.argv[index - 1] === name && values.push(value));
  return values;
}

function fail(message) {
  console.error(`@pofa/sparse-kernels prebuild: ${message}`);
  process.exit(1);
}

function works(command, args = ['--version']) {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}

/** Node's headers: npm's nodedir, then the prefix of this node binary, then /usr. */
function findNodeDir() {
  const configured = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
  const candidates = [process.env.npm_config_nodedir, configured, dirname(dirname(process.execPath)), '/usr'];
  return candidates.find((dir) => dir && dir !== 'undefined' && existsSync(join(dir, 'include', 'node', 'node_api.h')));
}

/** The ELF machine of a Linux binary (62 x86-64, 183 AArch64), to check a cross build. */
function elfMachine(file) {
  const header = readFileSync(file).subarray(0, 20);
  return header.readUInt16LE(18);
}

const ELF_MACHINES = { x64: 62, arm64: 183 };

function toolchainFor(arch) {
  if (arch === hostArch()) return {};
  if (hostPlatform() !== 'linux' || arch !== 'arm64') fail(`cannot cross-compile for ${hostPlatform()}-${arch} from ${hostPlatform()}-${hostArch()}`);
  const cxx = process.env.AARCH64_CXX ?? 'aarch64-linux-gnu-g++';
  if (!works(cxx)) fail(`${cxx} was not found (Debian: apt-get install g++-aarch64-linux-gnu)`);
  const prefix = cxx.replace(/g\+\+$/, '');
  return {
    env: { CC: `${prefix}gcc`, CXX: cxx, LINK: cxx, AR: `${prefix}ar` },
    strip: `${prefix}strip`,
  };
}

function prebuild(arch, nodeDir) {
  const toolchain = toolchainFor(arch);
  const work = mkdtempSync(join(tmpdir(), 'pofa-prebuild-'));
  try {
    for (const entry of readdirSync(join(root, 'native'))) {
      if (entry !== 'build') cpSync(join(root, 'native', entry), join(work, entry), { recursive: true });
    }
    const args = [require.resolve('prebuildify/bin.js'), '--napi', '--name', 'pofa_sparse_kernels.napi', '--strip', '--tag-libc', '--arch', arch, '--target', process.versions.node, '--cwd', work, '--out', root];
    if (toolchain.strip !== undefined) args.push('--strip-bin', toolchain.strip);
    const env = {
      ...process.env,
      ...toolchain.env,
      npm_config_nodedir: nodeDir,
      PREBUILD_NODE_GYP: require.resolve('node-gyp/bin/node-gyp.js'),
      // binding.gyp finds node-addon-api's headers with require(); the copy has no node_modules.
      NODE_PATH: join(root, 'node_modules'),
      JOBS: 'max',
    };
    const result = spawnSync(process.execPath, args, { cwd: work, env, stdio: 'inherit' });
    if (result.status !== 0) fail(`prebuildify failed for ${hostPlatform()}-${arch} (see its output above)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const folder = join(root, 'prebuilds', `${hostPlatform()}-${arch}`);
  const files = readdirSync(folder).filter((file) => file.endsWith('.node'));
  for (const file of files) {
    if (hostPlatform() === 'linux' && elfMachine(join(folder, file)) !== ELF_MACHINES[arch]) fail(`${folder}/${file} is not a ${arch} binary`);
  }
  if (arch === hostArch()) {
    const addon = require(join(folder, files[0]));
    console.log(`@pofa/sparse-kernels: prebuilds/${hostPlatform()}-${arch}/${files[0]} loads (${addon.info().supported.join(', ')})`);
  } else {
    console.log(`@pofa/sparse-kernels: prebuilds/${hostPlatform()}-${arch}/${files[0]} (cross-compiled)`);
  }
}

const nodeDir = findNodeDir();
if (nodeDir === undefined) fail('no Node headers (include/node/node_api.h) were found; set npm_config_nodedir');
const requested = argValues('--arch');
const arches = requested.length > 0 ? requested : hostPlatform() === 'linux' && hostArch() === 'x64' ? ['x64', 'arm64'] : [hostArch()];
for (const arch of arches) {
  rmSync(join(root, 'prebuilds', `${hostPlatform()}-${arch}`), { recursive: true, force: true });
  prebuild(arch, nodeDir);
}
