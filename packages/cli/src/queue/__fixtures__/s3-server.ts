// A local S3-compatible server for the tests: s3rver (in this process), on a free port, its objects in a temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A running s3rver: its endpoint, the keys written in order, and how to stop it. */
export interface TestS3Server {
  endpoint: string;
  /** Every `bucket/key` written (PUT or copy), in the order the server wrote them. */
  writes: string[];
  /** Called with each `bucket/key` as it is written. */
  onWrite(listener: (key: string) => void): void;
  close(): Promise<void>;
}

/** The credentials s3rver accepts (its default account). */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

export async function startS3Server(buckets: string[]): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'pofa-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  const writes: string[] = [];
  const listeners: Array<(key: string) => void> = [];
  server.on('event', (event) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated')) continue;
      const key = `${record.s3.bucket.name}/${decodeURIComponent(record.s3.object.key)}`;
      writes.push(key);
      for (const listener of listeners) listener(key);
    }
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    writes,
    onWrite: (listener) => listeners.push(listener),
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
