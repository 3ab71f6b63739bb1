import { fileURLToPath } from 'node:url';
import { ConfigError } from '@pofa/core';
import { isS3Url, parseS3Url, type S3Location } from './s3-location';

/** Where a Redis server is, as `--queue redis://…` names it. */
export interface RedisLocation {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with its password masked, for messages. */
  display: string;
}

const QUEUE_EXPECTED = 'redis://HOST[:PORT][/DB] or rediss://… (TLS), e.g. redis://127.0.0.1:6379';

/**
 * Reads `--queue`: `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (port 6379 and database 0 by
 * default) or `rediss://…` for TLS. Anything else is a `ConfigError` that says what was
 * expected.
 *
 * @example
 * ```ts
 * parseQueueUrl('redis://10.0.0.5:6380/2'); // { host: '10.0.0.5', port: 6380, db: 2, tls: false, display: 'redis://10.0.0.5:6380/2' }
 * ```
 */
export function parseQueueUrl(text: string): RedisLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('Invalid --queue', { expected: QUEUE_EXPECTED, received: JSON.stringify(text) });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('Invalid --queue', { expected: QUEUE_EXPECTED, received: JSON.stringify(text), hint: 'pofa queues its stages on Redis (BullMQ)' });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new ConfigError('Invalid --queue: no host', { expected: QUEUE_EXPECTED, received: JSON.stringify(text) });
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path)) throw new ConfigError('Invalid --queue: the path is the database number', { expected: QUEUE_EXPECTED, received: JSON.stringify(text) });
  const db = path === '' ? 0 : Number(path);
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const masked = new URL(url.href);
  if (password !== undefined) masked.password = '***';
  return {
    host, port, db, tls: url.protocol === 'rediss:', display: masked.href.replace(/\/$/, ''),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

/** Where the stages of a grid keep their outputs: a folder every worker sees, or an S3-compatible bucket. */
export type StoreLocation = { kind: 'folder'; folder: string } | S3Location;

/**
 * Reads `--store`: where the stages of a grid keep their outputs, readable by every worker. A
 * shared folder (`file:///ABSOLUTE/PATH`, e.g. an NFS mount) or an S3-compatible bucket
 * (`s3://BUCKET/PREFIX[?endpoint=URL]`, see {@link parseS3Url}); anything else is a
 * `ConfigError` that says what was expected.
 *
 * @example
 * ```ts
 * parseStoreUrl('file:///mnt/shared/pofa-work'); // { kind: 'folder', folder: '/mnt/shared/pofa-work' }
 * parseStoreUrl('s3://pofa-runs/grids').kind; // 's3'
 * ```
 */
export function parseStoreUrl(text: string): StoreLocation {
  if (isS3Url(text)) return parseS3Url(text);
  const expected = 'file:///ABSOLUTE/PATH (a folder every worker sees at that path) or s3://BUCKET/PREFIX (an S3-compatible bucket)';
  if (!/^file:\/\//i.test(text)) throw new ConfigError('Invalid --store', { expected, received: JSON.stringify(text) });
  try {
    return { kind: 'folder', folder: fileURLToPath(text) };
  } catch (error) {
    throw new ConfigError('Invalid --store', { expected, received: `${JSON.stringify(text)} (${error instanceof Error ? error.message : String(error)})` });
  }
}
