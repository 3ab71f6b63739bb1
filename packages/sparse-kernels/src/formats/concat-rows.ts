import type { PackedWeight } from './packed-weight';

function concatInt32(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) out.set(part, offset), (offset += part.length);
  return out;
}

function concatValues(weights: PackedWeight[]): Float32Array | Int8Array {
  const length = weights.reduce((total, weight) => total + weight.values.length, 0);
  const out = weights[0].dtype === 'int8' ? new Int8Array(length) : new Float32Array(length);
  let offset = 0;
  for (const weight of weights) out.set(weight.values, offset), (offset += weight.values.length);
  return out;
}

/** Row pointers of the stacked weights: each part's pointers shifted by the entries before it. */
function concatPointers(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((total, part) => total + part.length - 1, 0) + 1);
  let row = 0;
  let base = 0;
  for (const part of parts) {
    for (let i = 1; i < part.length; i++) out[++row] = base + part[i];
    base += part[part.length - 1];
  }
  return out;
}

function sameLayout(first: PackedWeight, other: PackedWeight): boolean {
  if (other.format !== first.format || other.dtype !== first.dtype || other.cols !== first.cols) return false;
  if (first.format === 'block' && other.format === 'block') return other.block[0] === first.block[0] && other.block[1] === first.block[1];
  if (first.format === 'nm' && other.format === 'nm') return other.n === first.n && other.m === first.m;
  return true;
}

/**
 * Stacks packed weights along their output rows — e.g. a layer's query, key and value
 * projections into one `[3·out, in]` weight that one kernel call runs — when they share format,
 * dtype, input width and block / N:M shape (and, for blocks, every part but the last has a whole
 * number of block rows); otherwise returns `undefined`. Values, indices and int8 scales are
 * copied in order, so the result unpacks to the parts' dense weights stacked.
 *
 * @example
 * ```ts
 * const fused = concatRows([query, key, value]); // rows = query.rows + key.rows + value.rows
 * ```
 */
export function concatRows(weights: PackedWeight[]): PackedWeight | undefined {
  const [first] = weights;
  if (first === undefined || !weights.every((weight) => sameLayout(first, weight))) return undefined;
  const rows = weights.reduce((total, weight) => total + weight.rows, 0);
  const common = {
    rows,
    cols: first.cols,
    dtype: first.dtype,
    values: concatValues(weights),
    ...(first.dtype === 'int8' ? { scales: Float32Array.from(weights.flatMap((weight) => Array.from(weight.scales!))) } : {}),
  };
  switch (first.format) {
    case 'dense':
      return { format: 'dense', ...common };
    case 'csr': {
      const parts = weights as Array<typeof first>;
      return { format: 'csr', ...common, rowPointers: concatPointers(parts.map((p) => p.rowPointers)), columnIndices: concatInt32(parts.map((p) => p.columnIndices)) };
    }
    case 'bitmask': {
      const parts = weights as Array<typeof first>;
      const bits = new Uint8Array(parts.reduce((total, part) => total + part.bits.length, 0));
      let offset = 0;
      for (const part of parts) bits.set(part.bits, offset), (offset += part.bits.length);
      return { format: 'bitmask', ...common, bits, rowPointers: concatPointers(parts.map((p) => p.rowPointers)) };
    }
    case 'block': {
      const parts = weights as Array<typeof first>;
      if (parts.slice(0, -1).some((part) => part.rows % first.block[0] !== 0)) return undefined;
      return {
        format: 'block',
        ...common,
        block: [first.block[0], first.block[1]],
        blockRowPointers: concatPointers(parts.map((p) => p.blockRowPointers)),
        blockColumns: concatInt32(parts.map((p) => p.blockColumns)),
      };
    }
    case 'nm': {
      const parts = weights as Array<typeof first>;
      const positions = new Uint8Array(parts.reduce((total, part) => total + part.positions.length, 0));
      let offset = 0;
      for (const part of parts) positions.set(part.positions, offset), (offset += part.positions.length);
      return { format: 'nm', ...common, n: first.n, m: first.m, positions };
    }
  }
}
