#!/usr/bin/env node
// Builds and runs native/test/kernel-test.cc, the kernels' C++ test against plain C++ reference
// results (no Node involved):
//
//   node scripts/kernel-test.mjs             on this machine (x86-64: the scalar, AVX2 and AVX-512 builds)
//   node scripts/kernel-test.mjs --arm64     cross-compiled with aarch64-linux-gnu-g++ and run
//                                            under qemu-aarch64-static (Debian: g++-aarch64-linux-gnu,
//                                            qemu-user-static)
//
// The flags are binding.gyp's: the same -O3 -ffp-contract=off, each instruction set's own flags
// on its translation unit only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const native = join(dirname(dirname(fileURLToPath(import.meta.url))), 'native');
const arm64 = process.argv.includes('--arm64');
const common = ['-std=gnu++17', '-O3', '-ffp-contract=off', '-fno-math-errno', '-Wall', '-Werror', '-pthread'];
const x86 = !arm64 && arch() === 'x64';
const AVX2 = ['-mavx2', '-mfma'];
const AVX512 = ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq', '-mavx512vnni', '-mavx2', '-mfma', '-Wno-uninitialized'];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error !== undefined) {
    console.error(`kernel-test: ${command} could not run (${result.error.code})${arm64 ? '; Debian: apt-get install g++-aarch64-linux-gnu qemu-user-static' : ''}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const compiler = arm64 ? (process.env.AARCH64_CXX ?? 'aarch64-linux-gnu-g++') : (process.env.CXX ?? 'c++');
const work = mkdtempSync(join(tmpdir(), 'pofa-kernel-test-'));
try {
  const units = [
    ['kernels-scalar.cc', []],
    ['thread-pool.cc', []],
    ['test/kernel-test.cc', x86 ? ['-DPOFA_HAVE_X86_BUILDS'] : []],
    ...(x86 ? [['kernels-avx2.cc', AVX2], ['kernels-avx512.cc', AVX512]] : []),
  ];
  // One compiler process per unit, all at once (the AVX-512 one takes the longest).
  const objects = units.map((_, index) => join(work, `${index}.o`));
  const statuses = await Promise.all(
    units.map(
      ([source, flags], index) =>
        new Promise((resolve) => {
          const child = spawn(compiler, [...common, ...flags, '-c', join(native, source), '-o', objects[index]], { stdio: 'inherit' });
          child.on('error', (error) => resolve(error.code));
          child.on('exit', (code) => resolve(code));
        }),
    ),
  );
  const failed = statuses.findIndex((status) => status !== 0);
  if (failed !== -1) {
    console.error(`kernel-test: ${compiler} failed on ${units[failed][0]} (${statuses[failed]})${arm64 ? '; Debian: apt-get install g++-aarch64-linux-gnu qemu-user-static' : ''}`);
    process.exit(1);
  }
  const binary = join(work, 'kernel-test');
  run(compiler, [...common, ...objects, '-o', binary]);
  // Debian's cross toolchain brings arm64 glibc and libstdc++ under /usr/aarch64-linux-gnu.
  if (arm64) run(process.env.QEMU_AARCH64 ?? 'qemu-aarch64-static', ['-L', process.env.AARCH64_SYSROOT ?? '/usr/aarch64-linux-gnu', binary]);
  else run(binary, []);
} finally {
  rmSync(work, { recursive: true, force: true });
}
