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
    expect(parseStoreUrl('file:///mnt/shared/pofa-work')).toBe('/mnt/shared/pofa-work');
    expect(parseStoreUrl('file:///tmp/a%20b')).toBe('/tmp/a b');
  });

  it('says that S3 is not there yet, and refuses other schemes and relative paths', () => {
    expect(() => parseStoreUrl('s3://bucket/runs')).toThrow(/^S3 stores are not implemented yet: expected file:\/\/\/ABSOLUTE\/PATH .*received "s3:\/\/bucket\/runs"\. Put the work folder on a shared file system/);
    expect(() => parseStoreUrl('/mnt/shared')).toThrow(/^Invalid --store: expected file:\/\/\/ABSOLUTE\/PATH/);
    expect(() => parseStoreUrl('file://server/share')).toThrow(/^Invalid --store/);
  });
});
