import { describe, expect, it } from 'vitest';
import { createProgress } from './progress';

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (text: string) => chunks.push(text) } };
}

describe('createProgress', () => {
  it('prints plain lines at most once per interval, always the last step', () => {
    const { chunks, stream } = recorder(false);
    let time = 0;
    const progress = createProgress({ total: 10, stream, intervalMs: 1000, now: () => time });
    for (let step = 1; step <= 10; step++) {
      progress.update(step, { loss: 1 / step, lr: 1e-3 });
      time += 300; // steps at 0, 300, ..., 2700 ms
    }
    progress.done();
    // Shown: step 1 (t=0), step 5 (t=1200), step 9 (t=2400), and step 10 (the last).
    expect(chunks.map((line) => line.split(' ')[1])).toEqual(['1/10', '5/10', '9/10', '10/10']);
    expect(chunks[0]).toBe('step 1/10 loss 1.0000 lr 1.00e-3\n');
  });

  it('draws a bar in place on a TTY and ends it with a newline', () => {
    const { chunks, stream } = recorder(true);
    const progress = createProgress({ total: 4, stream, now: () => 0 });
    progress.update(1, { loss: 0.5, lr: 0.1 });
    progress.update(2, { loss: 0.4, lr: 0.1 }); // rate-limited
    progress.update(4, { loss: 0.3, lr: 0.1 });
    progress.done();
    expect(chunks).toHaveLength(3);
    expect(chunks[0].startsWith(`\r[${'#'.repeat(8)}${'.'.repeat(22)}] step 1/4`)).toBe(true);
    expect(chunks[1].startsWith(`\r[${'#'.repeat(30)}] step 4/4`)).toBe(true);
    expect(chunks[2]).toBe('\n');
  });
});
