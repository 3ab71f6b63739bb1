// Cases of the commands that train: compress, transfer, pretrain, prune, finetune, quantize.
// None of them is in packages/cli/src/cli/bad-input.test.ts. `expect`: 'error' (a clear pofa
// error), 'ok' (exit 0 and `verify` holds), 'either' (one or the other, the input being debatable).
import { finishedRun, jsonAt } from './verify.mjs';

const error = (argv, message, extra = {}) => ({ argv, expect: 'error', message, ...extra });
const either = (argv, verify, extra = {}) => ({ argv, expect: 'either', verify, ...extra });
const ok = (argv, verify, extra = {}) => ({ argv, expect: 'ok', verify, ...extra });

const test = ['--scale', 'test'];
const small = ['--task', 'small.tsv', '--steps', '1', '--no-int8', '--seq', '16', '--max-eval', '8'];

export const compressCases = [
  error(['compress', ...test, '--sparsity', '90', '--out', 'x'], /--sparsity.*\(got 90\)/),
  error(['compress', ...test, '--pattern', '2:4', '--sparsity', '0.9', '--out', 'x'], /2:4|sparsity/),
  error(['compress', ...test, '--task', 'sst2', '--out', 'x'], /--data/),
  error(['compress', ...test, '--task', 'sst2', '--data', 'glue-no-dev', '--out', 'x'], /dev/),
  error(['compress', ...test, '--task', 'spam', '--data', 'glue-mixed', '--out', 'x'], /--data/),
  error(['compress', ...test, '--task', 'spam', '--regression', '--out', 'x'], /--regression/),
  error(['compress', ...test, '--recipe', 'empty.yaml', '--out', 'x'], /empty\.yaml/),
  error(['compress', ...test, '--recipe', 'recipe-list.json', '--out', 'x'], /recipe-list\.json/),
  error(['compress', ...test, '--teacher', 'model.pofa', '--out', 'x'], /model\.pofa/),
  error(['compress', ...test, '--teacher', 'hf-mlm', '--out', 'x'], /hf-mlm/),
  error(['compress', ...test, '--model', 'model.pofa', '--out', 'x'], /model\.pofa/),
  error(['compress', ...test, '--model', 'ck-gpt2', '--out', 'x'], /gpt2/),
  error(['compress', ...test, '--resume', '--out', 'tr'], /tr/),
  ok(['compress', ...test, '--out', 'run-copy'], finishedRun('run-copy'), { copy: ['run', 'run-copy'] }),
  error(['compress', ...test, '--out', 'x', '--cache', 'notes.txt'], /notes\.txt/),
  error(['compress', ...test, '--out', 'x', '--cache', '/proc/self/pofa-cache'], /\/proc/),
  error(['compress', ...test, '--taks', 'spam'], /Did you mean --task/),
  error(['compress', '--out', '--scale', 'test'], /--out/),
  error(['compress', ...test, '--out', ''], /--out/),
  error(['compress', ...test, '--out', 'x'], /POFA_BACKEND|nonsense/, { env: { POFA_BACKEND: 'nonsense' } }),
  error(['compress', ...test, '--out', 'x'], /notes\.txt|POFA_CACHE/, { env: { POFA_CACHE: 'notes.txt' } }),
  error(['compress', ...test, '--out', 'open/x'], /\.cache|nonexistent-home|permission/, { env: { POFA_CACHE: undefined, HOME: '/nonexistent-home' }, user: true }),
  either(['compress', ...test, '--out', 'keep', '--force', '--no-int8'], jsonAt('keep/run.json', (run) => run.completed === true, 'a finished run'), { outputs: ['keep/run.json', 'keep/models.json', 'keep/report.json', 'keep/vocab.txt', 'keep/bundles', 'keep/sparse-pretrain', 'keep/sparse-transfer', 'keep/teacher-pretrain', 'keep/teacher-finetune', 'keep/quantize'] }),
];

export const transferCases = [
  error(['transfer', 'model.pofa', ...small, '--out', 'x'], /model\.pofa/),
  error(['transfer', 'ck-trunc-header', ...small, '--out', 'x'], /ck-trunc-header/),
  error(['transfer', 'ck-gpt2', ...small, '--out', 'x'], /gpt2/),
  error(['transfer', 'ck-no-vocab', ...small, '--out', 'x'], /vocab/),
  error(['transfer', 'ck-missing-tensor', ...small, '--out', 'x'], /layer\.1\.output\.dense|missing/),
  ok(['transfer', 'hf', ...small, '--epochs', '2', '--out', 'x'], finishedRun('x'), { outputs: ['x'] }),
  error(['transfer', 'hf', '--task', 'small.tsv', '--batch', '32', '--micro-batch', '5', '--out', 'x'], /--micro-batch/),
  error(['transfer', 'hf', ...small, '--distill-hidden', '--out', 'x'], /--teacher/),
  error(['transfer', 'hf', ...small, '--teacher', 'model.pofa', '--out', 'x'], /model\.pofa/),
  error(['transfer', 'hf', ...small, '--teacher', 'hf-3class', '--out', 'x'], /hf-3class|3/),
  error(['transfer', 'hf', '--task', 'small.tsv', '--seq', '100000', '--out', 'x'], /--seq|64/),
  error(['transfer', 'hf', ...small, '--resume', '--out', 'run'], /run/),
  error(['transfer', 'hf', ...small, '--resume', '--out', 'fresh'], /resume/i),
  error(['transfer', 'hf', '--task', 'sst2', '--data', 'glue-no-dev', '--out', 'x'], /dev/),
  error(['transfer', 'hf', '--task', 'squad', '--data', 'squad-broken', '--out', 'x'], /squad-broken/),
  error(['transfer', 'hf', '--tsak', 'small.tsv'], /Did you mean --task/),
  either(['transfer', 'hf/model.safetensors', ...small, '--out', 'x'], finishedRun('x'), { outputs: ['x'] }),
  either(['transfer', 'hf', ...small, '--out', 'hf/inner'], finishedRun('hf/inner'), { outputs: ['hf/inner'] }),
  ok(['transfer', 'données é/hf', ...small, '--out', 'dir with spaces/run é'], finishedRun('dir with spaces/run é'), { outputs: ['dir with spaces/run é'] }),
];

export const stageCases = [
  ok(['pretrain', ...test, '--out', 'run-copy'], jsonAt('run-copy/run.json', (run) => run.completed === false, 'a new, unfinished run'), { copy: ['run', 'run-copy'] }),
  error(['pretrain', ...test, '--resume'], /Unknown option --resume/),
  error(['pretrain', ...test, '--model', 'ck-roberta', '--out', 'x'], /roberta/),
  error(['pretrain', ...test, '--task', 'header-only.tsv', '--out', 'x'], /header-only\.tsv/),
  error(['pretrain', ...test, '--out', 'tr'], /tr/),
  ok(['pretrain', ...test, '--out', 'dir with spaces/new run'], jsonAt('dir with spaces/new run/run.json', (run) => run.command === 'pretrain' || run.completed === false, 'a pretrain run'), { outputs: ['dir with spaces/new run'] }),
  error(['prune', '--out', 'tr'], /tr/),
  error(['prune', '--out', 'hf'], /No run to continue in hf/),
  error(['prune', '--out', 'pre-broken-json'], /pre-broken-json/),
  error(['prune', '--out', 'pre-run-json-folder'], /pre-run-json-folder/),
  error(['finetune', '--out', 'pre-future'], /pre-future/),
  error(['finetune', '--out', '../pre'], /\.\.\/pre/, { cwd: 'work/sub' }),
  error(['quantize', '--out', 'pre', '--cache', 'notes.txt'], /notes\.txt/),
  error(['quantize', '--out', 'run', '--json', 'ro/rows.json'], /permission denied/, { user: true }),
  either(['finetune', '--out', 'run'], undefined),
  either(['quantize', '--out', 'run-copy'], finishedRun('run-copy'), { copy: ['run', 'run-copy'] }),
  ok(['quantize', '--out', 'pre-copy'], finishedRun('pre-copy'), { copy: ['pre', 'pre-copy'], outputs: ['pre-copy'] }),
];
