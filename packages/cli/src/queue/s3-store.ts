import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Key, type S3Location } from './s3-location';
import { StoreError } from './store-error';

/** An object of a bucket: its key below the location's prefix (`prune-ofa-tiny/bert-base/pretrained/done.json`) and its size. */
export interface StoredObject {
  path: string;
  size: number;
}

/**
 * The files of an S3-compatible bucket under one prefix, by `/`-separated path: what the stages
 * of a grid read and write between machines. Every call gives up after its timeout (no hang on an
 * endpoint that does not answer) and throws a {@link StoreError} that names the bucket and why.
 */
export interface S3Store {
  location: S3Location;
  /** `s3://bucket/prefix` (at the endpoint, if one is set), for messages. */
  display: string;
  /** Checks that the bucket exists and the credentials may read it. */
  check(): Promise<void>;
  /** The text of a small object, or undefined when there is none. */
  readText(path: string): Promise<string | undefined>;
  /** Writes an object from text or bytes (one PUT, up to 5 GB). */
  write(path: string, body: string | Uint8Array): Promise<void>;
  /** Downloads an object into a local file (written beside it, then renamed into place). */
  download(path: string, file: string): Promise<void>;
  /** The objects whose path starts with `prefix` (every page). */
  list(prefix: string): Promise<StoredObject[]>;
  remove(paths: readonly string[]): Promise<void>;
}

/** Seconds a request may go without an answer, and the budget of a whole call with its retries. */
const CONNECT_MS = 5_000;
const IDLE_MS = 60_000;
const CHECK_MS = 20_000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The code of a network failure, looking into an AggregateError (Node tries every address of a host). */
function networkCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  return Array.isArray(errors) ? networkCode(errors[0]) : undefined;
}

/** A failure of the SDK in words, with the hint that fixes it. */
function describe(error: unknown, bucket: string): { why: string; hint: string } {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  const code = networkCode(error);
  if (name === 'NoSuchBucket' || (name === 'NotFound' && status === 404)) return { why: `no bucket ${bucket}`, hint: 'Create the bucket (aws s3 mb, mc mb), or check --store' };
  if (name === 'CredentialsProviderError' || /credential/i.test(messageOf(error)) && status === undefined) {
    return { why: 'no AWS credentials', hint: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for the bucket' };
  }
  if (status === 403 || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied') {
    return { why: `access denied (${name === undefined || name === 'Unknown' ? 'HTTP 403' : name})`, hint: 'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and that they may read and write the bucket' };
  }
  if (code === 'ECONNREFUSED') return { why: 'connection refused', hint: 'Start the S3 server there, or check ?endpoint= / AWS_ENDPOINT_URL' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { why: 'no such host', hint: 'Check ?endpoint= / AWS_ENDPOINT_URL' };
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || /timed? ?out|aborted/i.test(messageOf(error))) {
    return { why: 'no answer in time', hint: 'Check that the endpoint answers (?endpoint= / AWS_ENDPOINT_URL) and the network between' };
  }
  return { why: `${name ?? 'error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${messageOf(error)}`, hint: 'Check --store, the endpoint and the credentials' };
}

/** The SDK, loaded on first use (commands without an S3 store never load it), without its Node-version notice on stderr. */
async function loadSdk(): Promise<typeof import('@aws-sdk/client-s3')> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return import('@aws-sdk/client-s3');
}

const isMissing = (error: unknown): boolean => {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || (name === 'NotFound' && $metadata?.httpStatusCode === 404);
};

/**
 * Opens the bucket of `location` through `@aws-sdk/client-s3`: the endpoint is `?endpoint=`, else
 * `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (path-style addressing for any such endpoint), else
 * AWS; the region `?region=`, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else `us-east-1`;
 * credentials the SDK's usual chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles,
 * roles; `env` replaces `process.env` for these). Connections time out after 5 s, silent requests
 * after 60 s, three tries each; `check` gives up after `checkMs` (20 s).
 *
 * @example
 * ```ts
 * const store = await openS3Store(parseS3Url('s3://pofa-runs/grids?endpoint=http://127.0.0.1:9000'));
 * await store.check(); // StoreError 'Cannot use s3://pofa-runs/grids …: no bucket pofa-runs' when it is not there
 * ```
 */
export async function openS3Store(location: S3Location, options: { env?: Record<string, string | undefined>; checkMs?: number } = {}): Promise<S3Store> {
  const { env = process.env, checkMs = CHECK_MS } = options;
  const sdk = await loadSdk();
  const endpoint = location.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || undefined) ?? (env.AWS_ENDPOINT_URL || undefined);
  const client: S3Client = new sdk.S3Client({
    region: location.region ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined) ?? 'us-east-1',
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    // Keys in `env` are used as they are; without them, the SDK's chain (profiles, roles, process.env).
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: CONNECT_MS, requestTimeout: IDLE_MS },
  });
  const { bucket } = location;
  const display = `s3://${bucket}${location.prefix === '' ? '' : `/${location.prefix}`}${endpoint === undefined ? '' : ` at ${endpoint}`}`;
  const key = (path: string): string => s3Key(location, path);
  /** Runs one SDK call; any failure is a StoreError naming `what`. */
  const call = async <T>(what: string, run: (abortSignal: AbortSignal) => Promise<T>, budgetMs = 10 * IDLE_MS): Promise<T> => {
    try {
      return await run(AbortSignal.timeout(budgetMs));
    } catch (error) {
      if (StoreError.isInstance(error)) throw error;
      const { why, hint } = describe(error, bucket);
      throw new StoreError(`Cannot ${what} in ${display}: ${why}`, { hint, cause: error });
    }
  };
  return {
    location,
    display,
    check: () => call('read the bucket', (abortSignal) => client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal }), checkMs).then(() => undefined),
    readText: (path) => call(`read ${path}`, async (abortSignal) => {
      try {
        const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key(path) }), { abortSignal });
        return await (answer.Body as { transformToString(): Promise<string> }).transformToString();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    }),
    // One PUT per object (up to 5 GB, S3's limit), from memory, so that a retry can send the body again.
    write: (path, body) => call(`write ${path}`, (abortSignal) => client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key(path), Body: body }), { abortSignal }).then(() => undefined)),
    download: (path, file) => call(`download ${path}`, async (abortSignal) => {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key(path) }), { abortSignal });
      await mkdir(dirname(file), { recursive: true });
      const partial = `${file}.download-${process.pid}`;
      try {
        await pipeline(answer.Body as Readable, createWriteStream(partial));
        await rename(partial, file);
      } finally {
        await rm(partial, { force: true });
      }
    }),
    list: (prefix) => call(`list ${prefix}`, async (abortSignal) => {
      const objects: StoredObject[] = [];
      let token: string | undefined;
      const start = key(prefix);
      const base = location.prefix === '' ? 0 : location.prefix.length + 1;
      do {
        const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: start, ...(token === undefined ? {} : { ContinuationToken: token }) }), { abortSignal });
        for (const object of page.Contents ?? []) if (object.Key !== undefined) objects.push({ path: object.Key.slice(base), size: object.Size ?? 0 });
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return objects;
    }),
    remove: (paths) => call(`delete ${paths.length} objects`, async (abortSignal) => {
      for (const path of paths) await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key(path) }), { abortSignal });
    }),
  };
}
