#!/usr/bin/env node
// The consumer-install test: what a user gets from npm. It packs every published workspace
// package (scripts/pack-packages.mjs, which also checks the tarballs), installs the tarballs with
// plain npm into a new project in a temporary folder outside the workspace (third-party
// dependencies from the npm registry), and there:
//   1. imports each package alone, in its own ESM process, and checks that every package its
//      dist/ imports is one of its dependencies or peer dependencies (hoisting cannot hide a gap);
//   2. type-checks a file importing every export path of every package, and the README blocks,
//      with tsc --noEmit (strict, NodeNext);
//   3. runs `npx pofa compress --scale test` (the native addon must come from the prebuilt binary);
//   4. runs the README code blocks marked runnable (below), from the installed README.md;
//   5. with POFA_ARM64_NODE_ROOT (Debian's arm64 Node unpacked by packages/sparse-kernels/scripts/
//      arm64-node-root.sh), runs an arm64 Node under qemu-aarch64-static in the same project: the
//      linux-arm64 prebuilt binary must load there and run the sparse-kernels README block;
//   6. removes @pofa/sparse-kernels' prebuilt binaries: `npm rebuild` builds the addon from
//      source; without it and without a compiler the portable kernels run with a one-line notice.
//
// README convention: a ```ts or ```js block right after a line `<!-- test -->` is runnable. It runs
// as an ES module in the project folder, after `pofa compress --scale test --out pofa-out`
// (so pofa-out/bundles/*.pofa exist), and a line `expression; // => value` asserts that the
// expression equals the value (numbers to 1e-6 relative, typed arrays as arrays); a note in
// parentheses may follow the value: `f1Score(a, b); // => 0.5 (F1 of class 1)`.
//
//   node scripts/consumer-test.mjs [--keep]     --keep leaves the temporary project in place
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPackages, publishedPackages, repository } from './pack-packages.mjs';

const started = Date.now();
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'pofa-consumer-'));
const project = join(work, 'project');
const packs = join(work, 'packs');
mkdirSync(project);
mkdirSync(packs);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function step(title, body) {
  const since = Date.now();
  process.stdout.write(`consumer-test: ${title} ...\n`);
  await body();
  process.stdout.write(`consumer-test: ${title}: ok (${seconds(since)})\n`);
}

function fail(message) {
  console.error(`consumer-test: FAILED: ${message}\n(project: ${project})`);
  process.exit(1);
}

/** Runs a command in the project; returns { stdout, stderr }; fails the test on a non-zero exit unless `allowFailure`. */
function sh(command, args, { env = {}, allowFailure = false } = {}) {
  const result = spawnSync(command, args, { cwd: project, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (!allowFailure && result.status !== 0) {
    fail(`${[command, ...args].join(' ')} exited with ${result.status ?? result.error?.code}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result;
}

const workspaceManifest = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8'));
const versionOf = (name, fallback) => workspaceManifest.devDependencies?.[name] ?? fallback;

// --- pack and check ------------------------------------------------------------------------
let packages;
{
  const since = Date.now();
  console.log('consumer-test: packing and checking the tarballs ...');
  const failures = await checkPackages(packs);
  if (failures > 0) fail(`${failures} tarball(s) failed the checks above`);
  packages = publishedPackages().map((pkg) => ({ ...pkg, tarball: join(packs, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.manifest.version}.tgz`) }));
  console.log(`consumer-test: packing and checking the tarballs: ok (${seconds(since)})`);
}

// --- install -------------------------------------------------------------------------------
const peerRange = packages.find((pkg) => pkg.name === '@pofa/core').manifest.peerDependencies['@tensorflow/tfjs-core'];
await step('npm install of the tarballs in a new project', () => {
  const dependencies = Object.fromEntries(packages.map((pkg) => [pkg.name, `file:${pkg.tarball}`]));
  dependencies['@tensorflow/tfjs-core'] = peerRange;
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'pofa-consumer',
        private: true,
        type: 'module',
        dependencies,
        devDependencies: { typescript: versionOf('typescript', '5.9.3'), '@types/node': versionOf('@types/node', '^20.19.0') },
      },
      null,
      2,
    )}\n`,
  );
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  for (const pkg of packages) if (!existsSync(join(project, 'node_modules', pkg.name, 'package.json'))) fail(`${pkg.name} is not installed`);
});

// --- à la carte imports ---------------------------------------------------------------------
const builtins = new Set((await import('node:module')).builtinModules);
const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

await step('import each package alone (ESM) and check its dist imports against its dependencies', () => {
  for (const pkg of packages) {
    const result = sh(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length);`]);
    const exports = Number(result.stdout.trim().split('\n').pop());
    if (!(exports > 0)) fail(`${pkg.name} exports nothing`);
    const installed = join(project, 'node_modules', pkg.name);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const declared = new Set([pkg.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const listed = sh('find', [join(installed, 'dist'), '-name', '*.js']).stdout.split('\n').filter(Boolean);
    const missing = new Set();
    for (const file of listed) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
        if (!declared.has(packageOf(specifier))) missing.add(packageOf(specifier));
      }
    }
    if (missing.size > 0) fail(`${pkg.name}'s dist imports ${[...missing].join(', ')}, which it does not declare as (peer) dependencies`);
    console.log(`  ${pkg.name}: ${exports} exports`);
  }
});

// --- README blocks --------------------------------------------------------------------------
/** The runnable blocks of a README: [{ language, code, line }]. */
function runnableBlocks(readme) {
  const lines = readme.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length - 1; i++) {
    if (!/^<!--\s*test\s*-->\s*$/.test(lines[i])) continue;
    const fence = /^```(ts|js)\s*$/.exec(lines[i + 1]);
    if (fence === null) fail(`a <!-- test --> marker at README line ${i + 1} is not followed by a \`\`\`ts or \`\`\`js block`);
    const end = lines.findIndex((line, index) => index > i + 1 && line.startsWith('```'));
    blocks.push({ language: fence[1], code: lines.slice(i + 2, end), line: i + 3 });
    i = end;
  }
  return blocks;
}

// The assertion helper the README blocks import (plain JS, so that ts and js blocks share it).
const EXPECT = `import { isDeepStrictEqual } from 'node:util';
const normalize = (value) => (ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value) : value);
const close = (x, y) =>
  typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y))
  : Array.isArray(x) && Array.isArray(y) ? x.length === y.length && x.every((v, i) => close(v, y[i]))
  : isDeepStrictEqual(x, y);
/** @param {unknown} actual @param {unknown} expected @param {string} where */
export function expectValue(actual, expected, where) {
  const a = normalize(actual), e = normalize(expected);
  if (!close(a, e)) throw new Error(\`\${where}: got \${JSON.stringify(a)}, expected \${JSON.stringify(e)}\`);
}
`;

/** `expression; // => value` lines become assertions. */
function withAssertions(code, pkg, firstLine) {
  return code
    .map((line, index) => {
      const match = /^(\s*)(.+?);?\s*\/\/ => (.+?)(\s+\([^()]*\))?$/.exec(line);
      if (match === null || /^(const|let|var|import|export)\s/.test(match[2])) return line;
      return `${match[1]}expectValue(${match[2]}, ${match[3]}, ${JSON.stringify(`${pkg} README line ${firstLine + index}`)});`;
    })
    .join('\n');
}

const readmeFiles = [];
writeFileSync(join(project, 'readme-expect.mjs'), EXPECT);
for (const pkg of packages) {
  const readme = join(project, 'node_modules', pkg.name, 'README.md');
  const blocks = existsSync(readme) ? runnableBlocks(readFileSync(readme, 'utf8')) : [];
  blocks.forEach((block, index) => {
    const name = `readme-${pkg.name.split('/').pop()}-${index + 1}`;
    const where = `${pkg.name} README line ${block.line}`;
    const source = `import { expectValue } from './readme-expect.mjs';\n${withAssertions(block.code, pkg.name, block.line)}\nexport {};\n`;
    writeFileSync(join(project, `${name}.${block.language === 'ts' ? 'mts' : 'mjs'}`), source);
    readmeFiles.push({ pkg: pkg.name, name, where });
  });
}

// --- types ----------------------------------------------------------------------------------
await step('tsc --noEmit on every export path of every package and the README blocks', () => {
  const imports = [];
  for (const pkg of packages) {
    for (const [subpath, target] of Object.entries(pkg.manifest.exports ?? { '.': {} })) {
      if (subpath.endsWith('package.json') || (typeof target === 'object' && target.types === undefined)) continue;
      const specifier = `${pkg.name}${subpath.slice(1)}`;
      const alias = `m${imports.length}`;
      imports.push(`import * as ${alias} from '${specifier}';\nexport type T${imports.length} = keyof typeof ${alias};`);
    }
  }
  writeFileSync(join(project, 'types.mts'), `${imports.join('\n')}\n`);
  writeFileSync(
    join(project, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], types: ['node'],
          strict: true, skipLibCheck: true, outDir: 'out', allowJs: true, checkJs: false,
        },
        include: ['*.mts', '*.mjs'],
      },
      null,
      2,
    )}\n`,
  );
  sh(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit']);
  console.log(`  ${imports.length} export paths, ${readmeFiles.length} README blocks`);
});

// --- the CLI --------------------------------------------------------------------------------
await step('npx pofa compress --scale test', () => {
  const result = sh('npx', ['--no-install', 'pofa', 'compress', '--scale', 'test', '--out', 'pofa-out', '--cache', join(work, 'cache')], {
    env: { POFA_REQUIRE_NATIVE: '1' },
  });
  const latency = result.stdout.split('\n').find((line) => line.startsWith('Latency:')) ?? '';
  if (!/\(native /.test(latency)) fail(`the bundles did not run on the native kernels: ${latency || result.stdout}`);
  for (const bundle of ['dense', 'sparse', 'sparse-int8']) if (!existsSync(join(project, 'pofa-out', 'bundles', `${bundle}.pofa`))) fail(`no ${bundle}.pofa`);
  console.log(`  ${latency}`);
});

// --- README blocks, run ---------------------------------------------------------------------
await step('the README blocks marked runnable', async () => {
  if (readmeFiles.length > 0) sh(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  // Each block in its own process (a block must not lean on another's set-up), two at a time.
  const queue = [...readmeFiles];
  const runNext = () => {
    const file = queue.shift();
    if (file === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      execFile(process.execPath, [join(project, 'out', `${file.name}.mjs`)], { cwd: project, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error !== null) fail(`${file.where} (block ${file.name}) failed:\n${stdout}${stderr}`);
        resolve();
      });
    }).then(runNext);
  };
  await Promise.all([runNext(), runNext()]);
  const counts = {};
  for (const file of readmeFiles) counts[file.pkg] = (counts[file.pkg] ?? 0) + 1;
  for (const pkg of packages) console.log(`  ${pkg.name}: ${counts[pkg.name] ?? 0} runnable block(s)`);
});

// --- the arm64 prebuilt binary in an arm64 Node ---------------------------------------------------
const arm64Root = process.env.POFA_ARM64_NODE_ROOT;
if (arm64Root === undefined || arm64Root === '' || !existsSync(join(arm64Root, 'usr', 'bin', 'node'))) {
  console.log('consumer-test: arm64: skipped (POFA_ARM64_NODE_ROOT names no unpacked arm64 Node; see packages/sparse-kernels/scripts/arm64-node-root.sh)');
} else {
  await step('arm64 Node under qemu: the linux-arm64 prebuilt binary loads and runs the sparse-kernels README block', () => {
    const qemu = process.env.QEMU_AARCH64 ?? 'qemu-aarch64-static';
    const arm64 = (args) => sh(qemu, ['-L', arm64Root, join(arm64Root, 'usr', 'bin', 'node'), ...args], { env: { POFA_REQUIRE_NATIVE: '1' } });
    const probe = arm64(['--input-type=module', '-e', "const { loadKernels } = await import('@pofa/sparse-kernels'); const k = loadKernels(); console.log(process.arch, process.version, k.name, k.isa);"]);
    if (!/^arm64 v\S+ native \S+/.test(probe.stdout.trim())) fail(`the arm64 Node did not run the native kernels: ${probe.stdout}${probe.stderr}`);
    const block = readmeFiles.find((file) => file.pkg === '@pofa/sparse-kernels');
    if (block !== undefined) arm64([join(project, 'out', `${block.name}.mjs`)]);
    console.log(`  ${probe.stdout.trim()}${block === undefined ? '' : `; ${block.where}: ok`}`);
  });
}

// --- no prebuilt binary -----------------------------------------------------------------------
const kernelsDir = join(project, 'node_modules', '@pofa', 'sparse-kernels');
const loadKernels = ['--input-type=module', '-e', "const { loadKernels } = await import('@pofa/sparse-kernels'); console.log(loadKernels().name);"];
await step('without a prebuilt binary: npm rebuild builds from source; without a compiler the portable kernels run with one line', () => {
  rmSync(join(kernelsDir, 'prebuilds'), { recursive: true, force: true });
  const nodeDir = [process.env.npm_config_nodedir, join(process.execPath, '..', '..'), '/usr'].find((dir) => dir && existsSync(join(dir, 'include', 'node', 'node_api.h')));
  // -O0 (after binding.gyp's -O3): this checks that the fallback builds and loads, not its speed.
  sh('npm', ['rebuild', '@pofa/sparse-kernels', '--foreground-scripts'], { env: { CXXFLAGS: '-O0', ...(nodeDir ? { npm_config_nodedir: nodeDir } : {}) } });
  if (!existsSync(join(kernelsDir, 'native', 'build', 'Release', 'pofa_sparse_kernels.node'))) fail('npm rebuild did not build the addon from source');
  const built = sh(process.execPath, loadKernels, { env: { POFA_REQUIRE_NATIVE: '1' } });
  if (built.stdout.trim() !== 'native') fail(`the addon built from source did not load: ${built.stdout}${built.stderr}`);

  rmSync(join(kernelsDir, 'native', 'build'), { recursive: true, force: true });
  const noCompiler = sh('npm', ['rebuild', '@pofa/sparse-kernels', '--foreground-scripts'], { env: { CXX: '/nonexistent/c++' } });
  if (!/no C\+\+ compiler .*: the portable kernels will run/.test(noCompiler.stdout)) fail(`npm rebuild without a compiler said:\n${noCompiler.stdout}${noCompiler.stderr}`);
  const portable = sh(process.execPath, loadKernels, { env: { POFA_REQUIRE_NATIVE: '' } });
  const notice = portable.stderr.trim().split('\n');
  if (portable.stdout.trim() !== 'portable' || notice.length !== 1 || !notice[0].includes('portable')) {
    fail(`expected the portable kernels and one line on stderr, got:\n${portable.stdout}${portable.stderr}`);
  }
  const required = sh(process.execPath, loadKernels, { env: { POFA_REQUIRE_NATIVE: '1' }, allowFailure: true });
  if (required.status === 0 || !required.stderr.includes('NativeAddonError')) fail(`POFA_REQUIRE_NATIVE=1 did not fail loudly:\n${required.stderr}`);
  console.log(`  ${notice[0]}`);
});

if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`consumer-test: all passed in ${seconds(started)}${keep ? ` (project kept in ${project})` : ''}`);
