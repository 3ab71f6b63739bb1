// A running `pofa serve` and bad HTTP requests: each must get a 4xx with a one-line JSON reason
// (or a right 200), never a 500, and the server must stay up (GET /health after each) and stop
// cleanly on SIGTERM at the end.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { BIN } from './run-case.mjs';

const LABELS = ['ham', 'spam'];
const json = (value) => JSON.stringify(value);
const bad = (name, body, extra = {}) => ({ name, method: 'POST', path: '/v1/predict', headers: { 'content-type': 'application/json' }, body, expect: '4xx', ...extra });

/** Outputs of a classification answer: one per input, labels of the bundle, scores in [0, 1]. */
const labelled = (count) => (body) => {
  const outputs = body?.outputs;
  if (!Array.isArray(outputs) || outputs.length !== count) return `expected ${count} outputs, got ${json(body).slice(0, 120)}`;
  const wrong = outputs.flat().find((output) => !LABELS.includes(output.label) || !(output.score >= 0 && output.score <= 1));
  return wrong === undefined ? undefined : `an output ${json(wrong)} is not a label with a score`;
};

export const HTTP_CASES = [
  bad('malformed JSON', '{"inputs": "free money"'),
  bad('inputs a number', json({ inputs: 5 })),
  bad('wrong field name', json({ text: 'free money' })),
  bad('empty text', json({ inputs: '' })),
  bad('empty list', json({ inputs: [] })),
  bad('10,000 inputs (over --max-inputs)', json({ inputs: Array.from({ length: 10_000 }, () => 'hi') })),
  bad('2 MiB body (over --max-body-bytes)', json({ inputs: 'a'.repeat(2 << 20) })),
  bad('unknown model name', json({ inputs: 'hi' }), { path: '/v1/models/nope/predict' }),
  bad('GET on predict', undefined, { method: 'GET', headers: {} }),
  bad('text/plain body', 'free money', { headers: { 'content-type': 'text/plain' } }),
  bad('no content type', json({ inputs: 'hi' }), { headers: {} }),
  bad('invalid UTF-8', Buffer.concat([Buffer.from('{"inputs": "caf'), Buffer.from([0xe9]), Buffer.from('"}')])),
  bad('topK 0', json({ inputs: 'hi', parameters: { topK: 0 } })),
  bad('an unknown parameter', json({ inputs: 'hi', parameters: { temperature: 2 } })),
  bad('a JSON array body', json(['hi'])),
  bad('a pair to a single-text model', json({ inputs: [['a', 'b']] })),
  bad('a question to a classifier', json({ question: 'who?', context: 'me' })),
  bad('a text over --max-input-chars', json({ inputs: 'a'.repeat(100_001) })),
  bad('nesting 100,000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
  bad('__proto__ key', '{"inputs": "hi", "__proto__": {"polluted": 1}}'),
  bad('a gzip-compressed body', gzipSync(json({ inputs: 'hi' })), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }),
  { ...bad('emoji, NUL and a lone surrogate', json({ inputs: ['free 💸 money', 'a\u0000b', 'x\ud800y'] })), expect: 200, verify: labelled(3) },
  { ...bad('a text of exactly --max-input-chars', json({ inputs: 'free money '.repeat(10_000).slice(0, 100_000) })), expect: 200, verify: labelled(1) },
  { name: 'a body cut short (Content-Length 1000, 10 bytes sent)', raw: 'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"inputs":', expect: 'no answer' },
];

/** Sends one request; resolves with the status and the parsed body (or its text). */
function send(url, { method, path, headers, body }) {
  return new Promise((resolve, reject) => {
    // The path goes as written (a URL object would resolve '..').
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) }, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Writes raw bytes on a socket and closes it after 1 s, answered or not. */
function sendRaw(url, raw) {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write(raw));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => {});
    setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, 1000);
  });
}

/** Starts `pofa serve ...argv --port 0`; resolves with its URL and process once it listens (or its exit). */
export function startServe(argv, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    const output = () => ({ stdout, stderr });
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      resolve({ child, timedOut: true, output, ms: Date.now() - started });
    }, 30_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output, ms: Date.now() - started });
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ child, exited: { code, signal }, output, ms: Date.now() - started });
    });
  });
}

/** Sends SIGTERM and waits (10 s at most) for the exit; the code, or 'hang'. */
export function stopServe(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      resolve('hang');
    }, 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** A predict request that must answer 200 with labels: a started serve is working. */
export async function predictWorks(url, path) {
  const answer = await send(url, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: json({ inputs: ['free money', 'lunch tomorrow'] }) });
  if (answer.status !== 200) return `POST ${path}: ${answer.status} ${answer.text.slice(0, 200)}`;
  return Array.isArray(answer.body?.outputs) && answer.body.outputs.length === 2 ? undefined : `POST ${path}: ${answer.text.slice(0, 200)}`;
}

/** Runs every HTTP case against one serve at `url`; one result per case. */
export async function runHttpCases(url) {
  const results = [];
  const reference = await send(url, { method: 'POST', path: '/v1/predict', headers: { 'content-type': 'application/json' }, body: json({ inputs: ['free money', 'lunch tomorrow'] }) });
  for (const item of HTTP_CASES) {
    const started = Date.now();
    const problems = [];
    let status;
    let first = '';
    try {
      if (item.raw !== undefined) {
        const answer = await sendRaw(url, item.raw);
        status = answer === '' ? 'none' : answer.split('\r\n')[0];
        if (/ 5\d\d /.test(status)) problems.push(`answered ${status}`);
      } else {
        const answer = await send(url, item);
        status = answer.status;
        first = typeof answer.body === 'object' && answer.body !== null ? String(answer.body.error ?? '') : answer.text.slice(0, 200);
        if (item.expect === '4xx') {
          if (!(status >= 400 && status < 500)) problems.push(`status ${status}, expected 4xx`);
          else if (typeof answer.body?.error !== 'string' || answer.body.error.includes('\n') || answer.body.error === '') problems.push('no one-line { error } reason');
        } else if (status !== item.expect) problems.push(`status ${status}, expected ${item.expect}: ${answer.text.slice(0, 200)}`);
        else if (item.verify !== undefined) {
          const problem = item.verify(answer.body);
          if (problem !== undefined) problems.push(problem);
        }
      }
    } catch (error) {
      problems.push(`no answer: ${error.message}`);
    }
    const health = await send(url, { method: 'GET', path: '/health', headers: {} }).catch((error) => ({ status: error.message }));
    if (health.status !== 200) problems.push(`the server is down afterwards (GET /health: ${health.status})`);
    results.push({ command: 'serve (HTTP)', argv: [item.method ?? 'RAW', item.path ?? '', item.name], code: status, firstLine: first, ms: Date.now() - started, problems });
  }
  const again = await send(url, { method: 'POST', path: '/v1/predict', headers: { 'content-type': 'application/json' }, body: json({ inputs: ['free money', 'lunch tomorrow'] }) });
  const drift = json(again.body) === json(reference.body) ? [] : ['the same request answers differently after the bad ones'];
  return { results, drift };
}
