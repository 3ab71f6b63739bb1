import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { parseQueueUrl, parseStoreUrl } from './queue-url';

describe('parseQueueUrl', () => {
  it('reads host, port, database and credentials, with 6379 and database 0 by default', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2, tls: false, display: 'redis://10.0.0.5:6380/2' });
    expect(parseQueueUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0, tls: false, display: 'redis://localhost' });
    expect(parseQueueUrl('rediss://pofa:s%40cret@queue.example.org:6390')).toEqual({
      host: 'queue.example.org', port: 6390, db: 0, tls: true, username: 'pofa', password: 's@cret', display: 'rediss://pofa:***@queue.example.org:6390',
    });
    expect(parseQueueUrl('redis://[::1]:7000').host).toBe('::1');
  });

  it('answers anything else with a ConfigError that says what a queue URL looks like', () => {
    for (const [text, message] of [
      ['localhost:6379', /^Invalid --queue: expected redis:\/\/HOST\[:PORT\]\[\/DB\] .*received "localhost:6379"/],
      ['http://localhost:6379', /^Invalid --queue: expected .*received "http:\/\/localhost:6379"\. pofa queues its stages on Redis/],
      ['redis://localhost/queue', /^Invalid --queue: the path is the database number/],
      ['not a url', /^Invalid --queue/],
    ] as const) {
      const error = (() => {
        try {
          parseQueueUrl(text);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(ConfigError.isInstance(error), text).toBe(true);
      expect((error as Error).message, text).toMatch(message);
    }
  });
});

describe('parseStoreUrl', () => {
  it('reads a file:// URL into its folder', () => {
    expect(parseStoreUrl('file:///mnt/shared/pofa-work')).toEqual({ kind: 'folder', folder: '/mnt/shared/pofa-work' });
    expect(parseStoreUrl('file:///tmp/a%20b')).toEqual({ kind: 'folder', folder: '/tmp/a b' });
  });

  it('reads an s3:// URL into its bucket, prefix, endpoint and region, in a canonical URL', () => {
    expect(parseStoreUrl('s3://pofa-runs/grids/a/')).toEqual({ kind: 's3', bucket: 'pofa-runs', prefix: 'grids/a', url: 's3://pofa-runs/grids/a' });
    expect(parseStoreUrl('s3://pofa')).toEqual({ kind: 's3', bucket: 'pofa', prefix: '', url: 's3://pofa' });
    expect(parseStoreUrl('s3://pofa/x?region=eu-west-3&endpoint=http://127.0.0.1:9000')).toEqual({
      kind: 's3', bucket: 'pofa', prefix: 'x', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-3', url: 's3://pofa/x?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-3',
    });
    // The canonical URL reads back to the same location.
    const location = parseStoreUrl('s3://pofa/x?endpoint=http://127.0.0.1:9000');
    expect(location.kind === 's3' && parseStoreUrl(location.url)).toEqual(location);
  });

  it('refuses malformed buckets, credentials in the URL, unknown parameters, other schemes and relative paths', () => {
    expect(() => parseStoreUrl('s3://Bad_Bucket/runs')).toThrow(/^Invalid --store: not a bucket name: expected s3:\/\/BUCKET\[\/PREFIX\].*received "s3:\/\/Bad_Bucket\/runs"\. Bucket names are 3 to 63/);
    expect(() => parseStoreUrl('s3://key:secret@pofa/runs')).toThrow(/^Invalid --store: not a bucket name.*credentials go in AWS_ACCESS_KEY_ID/);
    expect(() => parseStoreUrl('s3://pofa/runs?endpoint=127.0.0.1:9000')).toThrow(/^Invalid --store: \?endpoint= is not an http\(s\) URL/);
    expect(() => parseStoreUrl('s3://pofa/runs?acl=public')).toThrow(/^Invalid --store: unknown parameter acl/);
    expect(() => parseStoreUrl('s3://pofa/a//b')).toThrow(/^Invalid --store: the prefix has an empty/);
    expect(() => parseStoreUrl('/mnt/shared')).toThrow(/^Invalid --store: expected file:\/\/\/ABSOLUTE\/PATH .* or s3:\/\/BUCKET\/PREFIX/);
    expect(() => parseStoreUrl('file://server/share')).toThrow(/^Invalid --store/);
  });
});
