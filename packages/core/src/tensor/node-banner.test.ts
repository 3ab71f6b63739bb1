import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from './backend';
import { tf } from './tf';

describe('initBackend', () => {
  const debug = process.env.POFA_DEBUG;
  afterAll(() => {
    if (debug === undefined) delete process.env.POFA_DEBUG;
    else process.env.POFA_DEBUG = debug;
  });

  it('keeps tfjs\'s "Hi, looks like you are running TensorFlow.js in Node.js" banner off, even with POFA_DEBUG', async () => {
    process.env.POFA_DEBUG = '1';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await initBackend({ backend: 'cpu' });
      tf.tensor([1, 2, 3]).dispose();
      const printed = [...warn.mock.calls, ...log.mock.calls].map((call) => call.join(' ')).join('\n');
      expect(printed).not.toContain('Hi, looks like');
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });
});
