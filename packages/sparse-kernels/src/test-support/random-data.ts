/** A seeded uniform generator in [0, 1) (mulberry32), for reproducible test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` values uniform in [−scale, scale). */
export function randomValues(random: () => number, size: number, scale = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

/** The sparsity patterns the kernel tests cover. */
export type TestPattern = 'unstructured' | 'block4x1' | 'block1x4' | 'nm';

/**
 * A `[rows, cols]` 0/1 mask with about `sparsity` of its elements (or 4x1 / 1x4 blocks) zero,
 * or 2:4 along the input; row 1 (when it exists) is always all zeros.
 */
export function randomMask(random: () => number, rows: number, cols: number, sparsity: number, pattern: TestPattern): Float32Array {
  const mask = new Float32Array(rows * cols);
  const blockDraws = new Map<string, number>();
  const hashed = (a: number, b: number, kind: number): number => {
    const key = `${kind}:${a}:${b}`;
    let draw = blockDraws.get(key);
    if (draw === undefined) blockDraws.set(key, (draw = random()));
    return draw;
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let keep: boolean;
      if (pattern === 'block4x1') keep = hashed(Math.floor(r / 4), c, 1) >= sparsity;
      else if (pattern === 'block1x4') keep = hashed(r, Math.floor(c / 4), 2) >= sparsity;
      else if (pattern === 'nm') keep = (c + r) % 4 < 2;
      else keep = random() >= sparsity;
      mask[r * cols + c] = keep && r !== 1 ? 1 : 0;
    }
  }
  return mask;
}

