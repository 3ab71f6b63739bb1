import { randomUUID } from 'node:crypto';
import { PofaError } from '@pofa/core';
import { PipelineError } from '@pofa/runtime';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { formatSchemaErrors, predictBodySchema, predictItems, type InputLimits } from './predict-schemas';
import { requestOutputs, type ServedModel } from './served-model';
import type { ServeMetrics } from './serve-metrics';

/** Options of {@link createServeApp}. */
export interface ServeAppOptions extends InputLimits {
  /** Largest request body in bytes (larger: 413). */
  maxBodyBytes: number;
  metrics: ServeMetrics;
  /** Where the JSON log lines go (errors with their id, startup); default stderr. */
  log?: { write(line: string): unknown };
}

/** An HTTP error with a status and a one-line reason. */
function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** The first line of a message, at most 300 characters. */
function oneLine(message: string): string {
  const line = message.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Parses JSON bodies strictly: UTF-8 only (no silent replacement characters), one line of reason for anything else. */
function parseJsonBody(_request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void): void {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    done(httpError(400, 'The body is not valid UTF-8'));
    return;
  }
  if (text.trim() === '') {
    done(httpError(400, 'The body is empty: expected a JSON object'));
    return;
  }
  try {
    done(null, JSON.parse(text));
  } catch (error) {
    done(httpError(400, `Malformed JSON: ${(error as Error).message}`));
  }
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation !== undefined) {
    void reply.code(400).send({ error: oneLine(`Invalid request: ${error.message}`) });
    return;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    void reply.code(status).send({ error: oneLine(error.message) });
    return;
  }
  if (PipelineError.isInstance(error)) {
    void reply.code(400).send({ error: oneLine(error.message) });
    return;
  }
  const id = randomUUID();
  request.log.error({ errorId: id, err: error, pofa: PofaError.isInstance(error) }, 'internal error');
  void reply.code(500).send({ error: 'Internal error', id });
}

/**
 * The HTTP app of `pofa serve` (Fastify): `POST /v1/predict` (the first model) and
 * `POST /v1/models/NAME/predict` with a JSON schema per task (see `predictBodySchema`),
 * `GET /v1/models`, `GET /health` and `GET /metrics` (Prometheus text). Bodies must be UTF-8
 * JSON of at most `maxBodyBytes`. Every client mistake is a 4xx `{ error }` of one line;
 * anything else a 500 `{ error, id }` whose id is in the log with the stack. While closing,
 * new requests get 503 and in-flight ones finish.
 *
 * @example
 * ```ts
 * const app = createServeApp([model], { maxBodyBytes: 1 << 20, maxInputs: 256, maxInputChars: 100_000, metrics: createServeMetrics() });
 * await app.listen({ port: 0, host: '127.0.0.1' });
 * ```
 */
export function createServeApp(models: readonly ServedModel[], options: ServeAppOptions): FastifyInstance {
  const { metrics } = options;
  const app = Fastify({
    bodyLimit: options.maxBodyBytes,
    logger: { level: 'info', stream: options.log ?? process.stderr },
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Validation rejects what does not match; it never rewrites the body.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => new Error(formatSchemaErrors(errors, dataVar)),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => parseJsonBody(request, body as Buffer, done));
  app.setErrorHandler(handleError);
  // Once closing, answers end their connection: a keep-alive socket would hold the close for its timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  app.setNotFoundHandler((request, reply) => void reply.code(404).send({ error: `No route ${request.method} ${request.url.split('?')[0]}` }));

  const describe = (model: ServedModel) => ({ name: model.name, pipeline: model.pipeline, task: model.task });
  app.get('/health', async () => ({ status: 'ok', models: models.map(({ name, pipeline }) => ({ name, pipeline })) }));
  app.get('/v1/models', async () => ({ models: models.map(describe) }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  for (const [index, model] of models.entries()) {
    const route = {
      schema: { body: predictBodySchema(model.task, options) },
      handler: async (request: FastifyRequest) => {
        const body = request.body as Record<string, unknown>;
        const outputs = await model.queue.submit(predictItems(model.task, body));
        return { model: model.name, outputs: requestOutputs(model, outputs, body.parameters as { topK?: number } | undefined) };
      },
    };
    const counted = { onResponse: async (request: FastifyRequest, reply: FastifyReply) => {
      metrics.requests.inc({ model: model.name, status: String(reply.statusCode) });
      metrics.latency.observe({ model: model.name }, reply.elapsedTime / 1000);
    } };
    app.post(`/v1/models/${model.name}/predict`, { ...route, ...counted });
    if (index === 0) app.post('/v1/predict', { ...route, ...counted });
  }
  return app;
}
