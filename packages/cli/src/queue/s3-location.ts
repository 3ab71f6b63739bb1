import { ConfigError } from '@pofa/core';

/** An S3-compatible bucket and key prefix, as `--store s3://BUCKET/PREFIX[?endpoint=URL&region=R]` names it. */
export interface S3Location {
  kind: 's3';
  bucket: string;
  /** The key prefix, without leading or trailing `/` (`''` for the bucket's root). */
  prefix: string;
  /** `?endpoint=`: an S3-compatible server (MinIO, Ceph, s3rver); else `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`, else AWS. */
  endpoint?: string;
  /** `?region=`; else `AWS_REGION`/`AWS_DEFAULT_REGION`, else `us-east-1`. */
  region?: string;
  /** The URL in a canonical form, as jobs carry it (`s3://bucket/prefix?endpoint=…`). */
  url: string;
}

const S3_EXPECTED = 's3://BUCKET[/PREFIX][?endpoint=URL&region=REGION], e.g. s3://pofa-runs/grids or s3://pofa/runs?endpoint=http://127.0.0.1:9000';

/**
 * Whether a `--store` value names an S3 bucket (`s3://…`).
 *
 * @example
 * ```ts
 * isS3Url('s3://pofa-runs/grids'); // true
 * isS3Url('file:///mnt/pofa'); // false
 * ```
 */
export function isS3Url(text: string): boolean {
  return /^s3:\/\//i.test(text);
}

/**
 * Reads an `s3://BUCKET[/PREFIX]` store URL, with an optional `?endpoint=URL` (an S3-compatible
 * server; path-style addressing is used for it) and `?region=`. Credentials never go in the URL:
 * they come from the standard AWS environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * profiles, instance roles). A malformed URL is a `ConfigError` that says what one looks like.
 *
 * @example
 * ```ts
 * parseS3Url('s3://pofa/runs/a?endpoint=http://127.0.0.1:9000');
 * // { kind: 's3', bucket: 'pofa', prefix: 'runs/a', endpoint: 'http://127.0.0.1:9000', url: 's3://pofa/runs/a?endpoint=http%3A%2F%2F127.0.0.1%3A9000' }
 * ```
 */
export function parseS3Url(text: string): S3Location {
  const received = JSON.stringify(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('Invalid --store', { expected: S3_EXPECTED, received });
  }
  if (url.protocol !== 's3:') throw new ConfigError('Invalid --store', { expected: S3_EXPECTED, received });
  const bucket = url.hostname;
  // Bucket names: 3 to 63 lower-case letters, digits, dots and hyphens (S3's rules; compatible servers accept the same).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || url.username !== '' || url.password !== '' || url.port !== '') {
    throw new ConfigError('Invalid --store: not a bucket name', { expected: S3_EXPECTED, received, hint: 'Bucket names are 3 to 63 lower-case letters, digits, dots and hyphens; credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not in the URL' });
  }
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '.' || part === '..') || prefix.includes('//')) {
    throw new ConfigError('Invalid --store: the prefix has an empty, . or .. part', { expected: S3_EXPECTED, received });
  }
  const unknown = [...url.searchParams.keys()].filter((key) => key !== 'endpoint' && key !== 'region');
  if (unknown.length > 0) throw new ConfigError(`Invalid --store: unknown parameter ${unknown.join(', ')}`, { expected: S3_EXPECTED, received });
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/i.test(endpoint)) {
    throw new ConfigError('Invalid --store: ?endpoint= is not an http(s) URL', { expected: S3_EXPECTED, received });
  }
  const region = url.searchParams.get('region') ?? undefined;
  const search = new URLSearchParams();
  if (endpoint !== undefined) search.append('endpoint', endpoint);
  if (region !== undefined) search.append('region', region);
  const query = search.toString();
  return {
    kind: 's3', bucket, prefix,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    url: `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}${query === '' ? '' : `?${query}`}`,
  };
}

/**
 * The key of `path` (a `/`-separated path) under a location's prefix.
 *
 * @example
 * ```ts
 * s3Key(parseS3Url('s3://pofa/runs'), 'prune-ofa-tiny/settings.json'); // 'runs/prune-ofa-tiny/settings.json'
 * ```
 */
export function s3Key(location: S3Location, path: string): string {
  return location.prefix === '' ? path : `${location.prefix}/${path}`;
}
