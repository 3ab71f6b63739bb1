/**
 * The Levenshtein distance between two strings (insertions, deletions, substitutions).
 *
 * @example
 * ```ts
 * editDistance('prune/magnitud', 'prune/magnitude'); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidates closest to `input` by edit distance, best first, among those within a third
 * of the input's length (at least 2 edits): the "did you mean" of an error message.
 *
 * @example
 * ```ts
 * closestMatches('prune/magnitud', ['prune/magnitude', 'prune/block']); // ['prune/magnitude']
 * ```
 */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const budget = Math.max(2, Math.floor(input.length / 3));
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(input, candidate) }))
    .filter(({ distance }) => distance <= budget)
    .sort((left, right) => left.distance - right.distance || left.candidate.localeCompare(right.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}
