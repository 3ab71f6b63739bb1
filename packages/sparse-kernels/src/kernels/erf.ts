/**
 * The error function to about 1.2e-7 relative (Numerical Recipes' Chebyshev-fitted `erfcc`),
 * enough for fp32 GELU.
 *
 * @example
 * ```ts
 * erf(0.5); // ≈ 0.5204999
 * ```
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/**
 * The exact GELU of BERT, `x · (1 + erf(x / √2)) / 2`.
 *
 * @example
 * ```ts
 * gelu(1); // ≈ 0.8413447
 * ```
 */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}
