// Cases of the commands that read a model: eval, export, inspect, bench.
import { bundleAt, checkpointAt, finiteEval, jsonAt, onnxAt, prints, sameAsSmall } from './verify.mjs';

const error = (argv, message, extra = {}) => ({ argv, expect: 'error', message, ...extra });
const either = (argv, verify, extra = {}) => ({ argv, expect: 'either', verify, ...extra });
const ok = (argv, verify, extra = {}) => ({ argv, expect: 'ok', verify, ...extra });

const evalSmall = (source, task, extra) => ok(['eval', source, '--task', task, '--json'], sameAsSmall, extra);

export const evalCases = [
  evalSmall('hf', 'crlf.tsv'),
  evalSmall('hf', 'bom.tsv'),
  evalSmall('hf', 'small.jsonl'),
  evalSmall('link-hf', 'small.tsv'),
  evalSmall('../../hf', '../../small.tsv', { cwd: 'work/sub' }),
  evalSmall('données é/hf', 'small.tsv'),
  { ...evalSmall('ck-vocab-crlf', 'small.tsv'), expect: 'either' },
  error(['eval', 'hf', '--task', 'utf16.tsv'], /utf16\.tsv/),
  error(['eval', 'hf', '--task', 'png.tsv'], /png\.tsv/),
  error(['eval', 'hf', '--task', 'trailing-comma.jsonl'], /trailing-comma\.jsonl:1/),
  error(['eval', 'hf', '--task', 'nan-label.tsv', '--regression'], /nan-label\.tsv:9/),
  either(['eval', 'hf', '--task', 'quoted-tab.tsv', '--json'], finiteEval),
  either(['eval', 'hf', '--task', 'nul.tsv', '--json'], finiteEval),
  either(['eval', 'hf', '--task', 'padded-labels.tsv', '--json'], sameAsSmall),
  error(['eval', 'hf', '--task', 'dangling.tsv'], /dangling\.tsv/),
  error(['eval', 'hf', '--task', 'hf'], /hf/),
  error(['eval', 'hf-3class', '--task', 'small.tsv'], /3/),
  error(['eval', 'hf-qa', '--task', 'small.tsv'], /hf-qa/),
  error(['eval', 'ck-trunc-data', '--task', 'small.tsv'], /ck-trunc-data/),
  error(['eval', 'ck-nan', '--task', 'small.tsv', '--json'], /NaN|ck-nan/),
  error(['eval', 'ck-vocab-big', '--task', 'small.tsv'], /vocab/),
  error(['eval', 'ck-labels', '--task', 'small.tsv'], /ck-labels|label/),
  error(['eval', 'model.pofa', '--task', 'squad'], /--data/),
  error(['eval', 'model.pofa', '--predictions', 'open/p.json'], /--predictions|squad/i),
  error(['eval', 'run', '--task', 'sotu-year'], /sotu-year/),
  error(['eval', 'hf', '--task', 'small.tsv'], /POFA_BACKEND/, { env: { POFA_BACKEND: 'nonsense' } }),
  either(['eval', 'hf', '--task', 'small.tsv', '--json'], sameAsSmall, { env: { POFA_BACKEND: 'tensorflow' } }),
  ok(['eval', 'tr', '--task', 'small.tsv', '--json'], finiteEval),
  ok(['eval', 'dir with spaces/model.pofa', '--task', 'small.tsv', '--json'], finiteEval),
];

export const exportCases = [
  error(['export', 'hf', '--format', 'hf', '--out', 'hf', '--force'], /hf/),
  error(['export', 'hf', '--format', 'pofa', '--out', 'hf/model.safetensors', '--force'], /hf\/model\.safetensors/),
  error(['export', 'run', '--format', 'hf', '--out', 'run', '--force'], /run/),
  error(['export', 'png.pofa', '--format', 'hf', '--out', 'x'], /png\.pofa/),
  error(['export', 'ck-trunc-1', '--format', 'pofa', '--out', 'x.pofa'], /ck-trunc-1/),
  error(['export', 'ck-missing-tensor', '--format', 'onnx', '--out', 'x.onnx'], /layer\.1\.output\.dense|missing/),
  error(['export', 'hf', '--format', 'pofa', '--out', 'locked/sub/x.pofa'], /permission denied/, { user: true }),
  error(['export', 'ck-index-broken', '--format', 'hf', '--out', 'x'], /index\.json/),
  error(['export', 'hf', '--format', 'pofa', '--out', 'ro/x.pofa'], /permission denied/, { user: true }),
  error(['export', 'hf', '--fromat', 'pofa'], /Did you mean --format/),
  error(['export', 'pre', '--format', 'pofa', '--out', 'x.pofa'], /pre/),
  error(['export', 'hf', '--format', 'pofa', '--layout', 'nm', '--out', 'x.pofa'], /2 of 4/),
  either(['export', 'hf', '--format', 'pofa', '--out', 'dangling-out.pofa'], bundleAt('dangling-out.pofa'), { outputs: ['nowhere.pofa'] }),
  either(['export', 'hf', '--format', 'onnx', '--out', 'x.pofa'], onnxAt('x.pofa'), { outputs: ['x.pofa'] }),
  either(['export', 'hf', '--format', 'pofa', '--out', 'x.pofa', '--out', 'y.pofa'], bundleAt('y.pofa'), { outputs: ['x.pofa', 'y.pofa'] }),
  ok(['export', 'hf', '--format', 'pofa', '--out', 'hf/inside.pofa'], bundleAt('hf/inside.pofa'), { outputs: ['hf/inside.pofa'] }),
  ok(['export', 'hf', '--format', 'hf', '--out', 'hf/sub'], checkpointAt('hf/sub'), { outputs: ['hf/sub'] }),
  ok(['export', 'données é/hf', '--format', 'pofa', '--out', 'dir with spaces/модель é.pofa'], bundleAt('dir with spaces/модель é.pofa'), { outputs: ['dir with spaces/модель é.pofa'] }),
  ok(['export', '../../hf', '--format', 'pofa', '--out', '../out.pofa'], bundleAt('work/out.pofa'), { cwd: 'work/sub', outputs: ['work/out.pofa'] }),
  ok(['export', 'hf', '--format=pofa', '--out=eq.pofa'], bundleAt('eq.pofa'), { outputs: ['eq.pofa'] }),
  ok(['export', 'hf', '--format', 'pofa', '--out', 'x.pofa'], bundleAt('x.pofa'), { env: { TMPDIR: '/nonexistent-tmp' }, outputs: ['x.pofa'] }),
];

export const inspectCases = [
  ...['ck-trunc-4', 'ck-trunc-8', 'ck-trunc-header', 'ck-trunc-data', 'ck-trunc-1'].map((name) => error(['inspect', `${name}/model.safetensors`], new RegExp(`${name}/model\\.safetensors`))),
  error(['inspect', 'png.safetensors'], /png\.safetensors/),
  error(['inspect', 'png.pofa'], /png\.pofa/),
  error(['inspect', 'gz.pofa'], /gz\.pofa/),
  ok(['inspect', 'ck-gpt2'], prints(/pofa cannot load this architecture/)),
  error(['inspect', 'ck-config-array'], /config\.json/),
  ok(['inspect', 'ck-heads'], prints(/pofa cannot load its config.*\n.*num_attention_heads/s)),
  error(['eval', 'ck-heads', '--task', 'small.tsv'], /num_attention_heads/),
  error(['inspect', 'ck-index-missing-shard'], /model-00002-of-00002/),
  error(['inspect', 'dangling'], /dangling/),
  error(['inspect', 'loop'], /loop/),
  error(['inspect', 'pre'], /pre/),
  ok(['inspect', 'ck-int32/model.safetensors'], prints(/I32/)),
  ok(['inspect', 'hf-f16'], prints(/F16/)),
  ok(['inspect', 'hf-mlm', '--json'], ({ result }) => (/"sparsity"/.test(result.stdout) && JSON.parse(result.stdout).family === 'bert' ? undefined : 'not the JSON of a BERT checkpoint')),
];

export const benchCases = [
  error(['bench', 'png.pofa'], /png\.pofa/),
  error(['bench', 'model.pofa', '--seq', '100000'], /--seq|positions/),
  error(['bench', 'pre'], /pre/),
  error(['bench', 'ck-shape'], /ck-shape|shape/),
  error(['bench', 'hf', '--json', 'ro/x.json'], /permission denied/, { user: true }),
  either(['bench', 'model.pofa', '--threads', '9999', '--iterations', '1', '--no-ort', '--no-tfjs'], prints(/ms/)),
  either(['bench', 'hf', '--iterations', '1', '--no-ort', '--no-tfjs'], prints(/ms/), { env: { TMPDIR: '/nonexistent-tmp' } }),
  either(['bench', 'hf', '--iterations', '1', '--no-ort', '--no-tfjs'], prints(/ms/), { env: { TMPDIR: 'ro' }, user: true }),
  ok(['bench', 'model.pofa', '--iterations', '1', '--no-ort', '--no-tfjs', '--json', 'open/b.json'], jsonAt('open/b.json', (value) => typeof value === 'object' && value !== null, 'a JSON report'), { outputs: ['open/b.json'] }),
];
