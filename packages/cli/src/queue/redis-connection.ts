import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from './queue-error';
import type { RedisLocation } from './queue-url';

/**
 * The ioredis options BullMQ connects with: the location's host, port, database and credentials;
 * no limit on the retries of a command (a worker waits through a Redis restart and reconnects, as
 * BullMQ requires of workers).
 *
 * @example
 * ```ts
 * new Worker('stages', processor, { connection: redisOptions(parseQueueUrl('redis://127.0.0.1:6379')) });
 * ```
 */
export function redisOptions(location: RedisLocation): RedisOptions {
  return {
    host: location.host,
    port: location.port,
    db: location.db,
    ...(location.username === undefined ? {} : { username: location.username }),
    ...(location.password === undefined ? {} : { password: location.password }),
    ...(location.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * Whether an error says that Redis cannot be reached (a refused, reset, timed-out or closed
 * connection), as opposed to an answer of Redis.
 *
 * @example
 * ```ts
 * isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })); // true
 * ```
 */
export function isConnectionError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) || /Connection is closed|connect ETIMEDOUT|Socket closed/i.test(message);
}

/** A connection failure in words: `connection refused`, `no such host`, … */
function describeFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return 'no answer';
  if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(message)) return `authentication failed (${message})`;
  return message;
}

/**
 * Checks that Redis answers at `location` before any work, and that it is a Redis BullMQ runs on
 * (5.0 or newer). A server that cannot be reached is a {@link QueueError} such as "Cannot reach
 * Redis at redis://127.0.0.1:6379: connection refused. Start redis-server there, or check --queue".
 *
 * @example
 * ```ts
 * await checkRedis(parseQueueUrl('redis://127.0.0.1:6379')); // throws QueueError when nothing listens
 * ```
 */
export async function checkRedis(location: RedisLocation, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...redisOptions(location), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  // ioredis reports the cause (ECONNREFUSED, …) as an event, and rejects connect() with "Connection is closed".
  let cause: unknown;
  client.on('error', (error) => (cause ??= error));
  let version: string | undefined;
  try {
    await client.connect();
    const info = await client.info('server');
    version = /redis_version:([\d.]+)/.exec(info)?.[1];
  } catch (error) {
    client.disconnect();
    throw new QueueError(`Cannot reach Redis at ${location.display}: ${describeFailure(cause ?? error)}`, { hint: 'Start redis-server there, or check --queue', cause: cause ?? error });
  }
  try {
    // ioredis swallows a failed SELECT while it connects (then waits forever): select explicitly.
    await client.select(location.db);
  } catch (error) {
    throw new QueueError(`Redis at ${location.display} has no database ${location.db}`, {
      expected: 'a database index the server has (0 to 15 by default)',
      received: String(location.db),
      hint: 'Use redis://HOST:PORT/0, or raise the server\'s databases setting',
      cause: error,
    });
  } finally {
    client.disconnect();
  }
  if (version !== undefined && Number(version.split('.')[0]) < 5) {
    throw new QueueError(`Redis at ${location.display} is too old for BullMQ`, { expected: 'Redis 5.0 or newer (6.2 or newer recommended)', received: version });
  }
}
