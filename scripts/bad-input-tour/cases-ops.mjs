// Cases of serve (starting it), reproduce, worker and the command line as a whole. `{busyPort}`
// and `{redis}` in an argument are filled in by the tour: a port in use, a live Redis.
const error = (argv, message, extra = {}) => ({ argv, expect: 'error', message, ...extra });

/** A serve that must start, answer `path` with 200 and outputs, and stop on SIGTERM with exit 0. */
const serves = (argv, path, extra = {}) => ({ argv: [...argv, '--port', '0'], expect: 'serve', path, ...extra });
/** A serve that either starts (and then answers) or refuses with a clear error. */
const servesOrRefuses = (argv, path, extra = {}) => ({ ...serves(argv, path, extra), expect: 'serve-either' });

export const serveStartCases = [
  error(['serve', 'hf', '--port', '0'], /hf/),
  error(['serve', 'png.pofa', '--port', '0'], /png\.pofa/),
  error(['serve', 'dangling', '--port', '0'], /dangling/),
  error(['serve', 'model.pofa', '--port', '8080.5'], /--port/),
  error(['serve', 'model.pofa', '--port', '{busyPort}'], /in use|{busyPort}/),
  error(['serve', 'model.pofa', '--port', '0', '--host', '999.999.1.1'], /999\.999\.1\.1/),
  error(['serve', 'model.pofa', '--port', '0', '--host', '192.0.2.1'], /192\.0\.2\.1/),
  error(['serve', 'model.pofa', '--port', '0', '--host', 'nonexistent.invalid'], /nonexistent\.invalid/),
  error(['serve', 'model.pofa', '--threads', '0'], /--threads/),
  error(['serve', '--model', 'a=hf', '--port', '0'], /hf/),
  error(['serve', 'model.pofa', '--prot', '8080'], /Did you mean --port/),
  serves(['serve', 'dir with spaces/model.pofa'], '/v1/predict'),
  serves(['serve', 'tr/bundles/sparse.pofa', '--model', 'two=model.pofa'], '/v1/models/two/predict'),
  servesOrRefuses(['serve', 'model.pofa'], '/v1/predict', { env: { POFA_BACKEND: 'nonsense' } }),
  servesOrRefuses(['serve', 'run'], '/v1/predict'),
];

export const reproduceCases = [
  error(['reproduce', '--scale', 'full', '--out', 'x'], /--teacher/),
  error(['reproduce', '--scale', 'full', '--teacher', 'missing', '--glue', 'glue-mixed', '--out', 'x'], /missing/),
  error(['reproduce', '--scale', 'full', '--teacher', 'hf', '--glue', 'glue-no-dev', '--out', 'x'], /glue-no-dev/),
  error(['reproduce', '--scale', 'full', '--teacher', 'hf', '--glue', 'glue-mixed', '--squad', 'png.tsv', '--corpus', 'corpus-empty.txt', '--out', 'x'], /glue-mixed|png\.tsv|corpus-empty/),
  error(['reproduce', '--scale', 'smoke', '--store', 's3://bucket/runs', '--out', 'x'], /s3/),
  error(['reproduce', '--scale', 'smoke', '--queue', 'redis://127.0.0.1:1', '--out', 'x'], /127\.0\.0\.1:1/),
  error(['reproduce', '--scale', 'smoke', '--only', 'ofa', '--queue', '{redis}', '--out', 'x'], /ofa|--queue/),
  error(['reproduce', '--scale', 'smoke', '--work', 'notes.txt', '--out', 'x'], /notes\.txt/),
  error(['reproduce', '--scale', 'smoke', '--onyl', 'ofa'], /Did you mean --only/),
];

export const workerCases = [
  error(['worker', '--queue', '{redis}', '--concurrency', '0'], /--concurrency/),
  error(['worker', '--queue', '{redis}', '--stalled-seconds', '-1'], /--stalled-seconds/),
  error(['worker', '--queue', 'redis://127.0.0.1:99999'], /99999/),
  error(['worker', '--queue', '{redis}', '--store', 'file:///nonexistent-store'], /nonexistent-store/),
  error(['worker', '--queue', '{redis}', '--store', 'file://{dir}/notes.txt'], /notes\.txt/),
  error(['worker', '--queue', '{redis}', '--store', 'runs/'], /--store/),
  error(['worker', '--queue', '{redis}/99'], /99/),
  error(['worker', '--queue', '{rediss}'], /TLS|rediss/),
];

export const commandLineCases = [
  error(['--versoin'], /--versoin/),
  error(['help', 'nonsense'], /nonsense/),
  error([''], /command/),
  { argv: ['compress', '--help', '--sparsty', '0.9'], expect: 'either', verify: ({ result }) => (/Usage: pofa compress/.test(result.stdout) ? undefined : 'no help') },
].map((item) => ({ ...item, group: 'command line' }));
