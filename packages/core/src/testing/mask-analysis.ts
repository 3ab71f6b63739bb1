import type { MaskGranularity } from '../registry/specs/pruning-method';

/** The position of a flat index in `[..., rows, columns]`, the unit blocks and groups tile. */
function locate(index: number, shape: readonly number[]): { matrix: number; row: number; column: number } {
  const columns = shape[shape.length - 1];
  const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
  return { matrix: Math.floor(index / (rows * columns)), row: Math.floor((index % (rows * columns)) / columns), column: index % columns };
}

/** Why `shape` cannot be tiled by the granularity's unit, or undefined when it can. */
export function tilingProblem(granularity: MaskGranularity, shape: readonly number[]): string | undefined {
  const columns = shape[shape.length - 1];
  if (granularity.type === 'n-of-m' && columns % granularity.group !== 0) {
    return `the last axis of [${shape.join(', ')}] is not a multiple of the group size ${granularity.group}`;
  }
  if (granularity.type === 'block') {
    const [blockRows, blockColumns] = granularity.shape;
    if (shape.length < 2 || shape[shape.length - 2] % blockRows !== 0 || columns % blockColumns !== 0) {
      return `[${shape.join(', ')}] does not tile into ${blockRows}x${blockColumns} blocks`;
    }
  }
  return undefined;
}

/** The key of the unit (element, block or group) each flat index belongs to. */
function unitOf(granularity: MaskGranularity, shape: readonly number[]): (index: number) => number {
  if (granularity.type === 'element') return (index) => index;
  const columns = shape[shape.length - 1];
  if (granularity.type === 'n-of-m') return (index) => Math.floor(index / granularity.group);
  const [blockRows, blockColumns] = granularity.shape;
  const rows = shape[shape.length - 2];
  const blocksPerMatrix = (rows / blockRows) * (columns / blockColumns);
  return (index) => {
    const { matrix, row, column } = locate(index, shape);
    return matrix * blocksPerMatrix + Math.floor(row / blockRows) * (columns / blockColumns) + Math.floor(column / blockColumns);
  };
}

/** Entries that are neither exactly 0 nor exactly 1. */
export function nonBinaryProblems(mask: Float32Array): string[] {
  const bad = mask.findIndex((value) => value !== 0 && value !== 1);
  return bad === -1 ? [] : [`mask[${bad}] is ${mask[bad]}, expected exactly 0 or 1`];
}

/**
 * Checks the count of zeros: `floor(sparsity * units)` zero units (blocks entirely zero, the
 * rest entirely one) for element and block granularity, `kept` ones per group for n-of-m.
 * `floor` tolerates the floating-point rounding of `sparsity * units`.
 */
export function sparsityProblems(granularity: MaskGranularity, mask: Float32Array, shape: readonly number[], sparsity?: number): string[] {
  const unit = unitOf(granularity, shape);
  const ones = new Map<number, number>();
  const sizes = new Map<number, number>();
  mask.forEach((value, index) => {
    const key = unit(index);
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
    ones.set(key, (ones.get(key) ?? 0) + (value === 1 ? 1 : 0));
  });
  const where = `for shape [${shape.join(', ')}]`;
  if (granularity.type === 'n-of-m') {
    const wrong = [...ones].find(([, count]) => count !== granularity.kept);
    return wrong === undefined ? [] : [`group ${wrong[0]} keeps ${wrong[1]} weights ${where}, expected ${granularity.kept} of ${granularity.group}`];
  }
  const problems: string[] = [];
  const partial = [...ones].find(([key, count]) => count !== 0 && count !== sizes.get(key));
  if (partial !== undefined) problems.push(`block ${partial[0]} is partly pruned ${where}, expected whole blocks of ${granularity.type === 'block' ? granularity.shape.join('x') : 1}`);
  if (sparsity !== undefined) {
    const zeroUnits = [...ones.values()].filter((count) => count === 0).length;
    const exact = sparsity * sizes.size;
    const allowed = new Set([Math.floor(exact), Math.floor(exact + 1e-9)]);
    if (!allowed.has(zeroUnits)) {
      const noun = granularity.type === 'block' ? 'blocks' : 'weights';
      problems.push(`${zeroUnits} of ${sizes.size} ${noun} pruned at sparsity ${sparsity} ${where}, expected floor(${sparsity} * ${sizes.size}) = ${Math.floor(exact + 1e-9)}`);
    }
  }
  return problems;
}

/**
 * Checks that every pruned weight is no larger in magnitude than every kept one: over the
 * whole tensor for element and block granularity, within each group for n-of-m.
 */
export function magnitudeProblems(granularity: MaskGranularity, mask: Float32Array, weight: Float32Array, shape: readonly number[]): string[] {
  const scope = granularity.type === 'n-of-m' ? unitOf(granularity, shape) : () => 0;
  const largestPruned = new Map<number, number>();
  const smallestKept = new Map<number, number>();
  mask.forEach((value, index) => {
    const key = scope(index);
    const magnitude = Math.abs(weight[index]);
    if (value === 0) largestPruned.set(key, Math.max(largestPruned.get(key) ?? -Infinity, magnitude));
    else smallestKept.set(key, Math.min(smallestKept.get(key) ?? Infinity, magnitude));
  });
  for (const [key, pruned] of largestPruned) {
    const kept = smallestKept.get(key) ?? Infinity;
    if (pruned > kept) {
      return [`a weight of magnitude ${pruned.toFixed(4)} was pruned while one of ${kept.toFixed(4)} was kept (shape [${shape.join(', ')}])`];
    }
  }
  return [];
}
