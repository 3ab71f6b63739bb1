import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics of `pofa serve`, in a registry of their own. */
export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'model' | 'status'>;
  latency: Histogram<'model'>;
  batchSize: Histogram<'model'>;
  inference: Histogram<'model'>;
  queueLength: Gauge<'model'>;
}

/**
 * Creates the server's metrics (exposed as Prometheus text on `GET /metrics`):
 * `pofa_requests_total{model,status}`, `pofa_request_duration_seconds{model}` (a latency
 * histogram from arrival to answer), `pofa_batch_size{model}` (items per batch),
 * `pofa_batch_duration_seconds{model}` (one batch's forward pass and post-processing) and
 * `pofa_queue_length{model}` (items waiting for a batch).
 *
 * @example
 * ```ts
 * const metrics = createServeMetrics();
 * metrics.requests.inc({ model: 'spam', status: '200' });
 * await metrics.registry.metrics(); // '# HELP pofa_requests_total ...'
 * ```
 */
export function createServeMetrics(): ServeMetrics {
  const registry = new Registry();
  return {
    registry,
    requests: new Counter({ name: 'pofa_requests_total', help: 'Prediction requests answered, by model and HTTP status', labelNames: ['model', 'status'], registers: [registry] }),
    latency: new Histogram({
      name: 'pofa_request_duration_seconds',
      help: 'Time from a prediction request arriving to its answer',
      labelNames: ['model'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({ name: 'pofa_batch_size', help: 'Inputs per batch run', labelNames: ['model'], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] }),
    inference: new Histogram({
      name: 'pofa_batch_duration_seconds',
      help: 'Time one batch takes (tokenization, forward pass, post-processing)',
      labelNames: ['model'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    queueLength: new Gauge({ name: 'pofa_queue_length', help: 'Inputs waiting for a batch', labelNames: ['model'], registers: [registry] }),
  };
}
