import { z } from 'zod';
import { ConfigError } from '@pofa/core';

/** What {@link allocateBits} needs to know of one layer. */
export interface LayerSensitivity {
  name: string;
  /** Weights of the layer (n_l). */
  parameterCount: number;
  /** The Hessian trace of the layer's block (see `estimateHessianTraces`). */
  trace: number;
  /** ‖Q_b(W) − W‖², the squared quantization perturbation, for every candidate bit width b. */
  perturbation: Record<number, number>;
}

/** Options of {@link allocateBits}. */
export const bitAllocationOptionsSchema = z
  .object({
    /** Candidate bit widths, e.g. [2, 4, 8]. */
    bitChoices: z.array(z.number().int().min(1).max(32)).min(1).default([2, 4, 8]),
    /** The most bytes the quantized weights may take in all (⌈n·bits/8⌉ per layer). */
    budgetBytes: z.number().positive(),
    /**
     * The budget is split into at most this many units for the exact dynamic programme; sizes are
     * rounded up to whole units, so the budget always holds (the optimum may be missed by < 1 unit).
     */
    resolution: z.number().int().positive().default(20_000),
  })
  .strict();

/** Options of {@link allocateBits}, as the caller writes them. */
export type BitAllocationOptions = z.input<typeof bitAllocationOptionsSchema>;

/** The bit width chosen for one layer. */
export interface LayerAllocation {
  name: string;
  parameterCount: number;
  trace: number;
  bits: number;
  /** ⌈parameterCount × bits / 8⌉. */
  bytes: number;
  /** Ω = (Tr(H)/n) · ‖Q_b(W) − W‖² at the chosen bits. */
  omega: number;
}

/** What {@link allocateBits} returns. */
export interface BitAllocation {
  layers: LayerAllocation[];
  totalBytes: number;
  totalOmega: number;
  budgetBytes: number;
  bitChoices: number[];
}

/**
 * Bytes of `parameterCount` weights at `bits` each (the scale and zero point of each group not counted).
 *
 * @example
 * ```ts
 * quantizedBytes(4096, 4); // 2048
 * ```
 */
export function quantizedBytes(parameterCount: number, bits: number): number {
  return Math.ceil((parameterCount * bits) / 8);
}

/**
 * HAWQ-V2's sensitivity of a layer at `bits` (Dong et al., "HAWQ-V2: Hessian Aware trace-Weighted
 * Quantization of Neural Networks", NeurIPS 2020, Eq. 2.11): Ω = (Tr(H)/n) · ‖Q_b(W) − W‖², the
 * second-order loss increase of the perturbation with the average Hessian eigenvalue. Q-BERT
 * (Shen et al. 2020, §3.2) ranks layers the same way with the top eigenvalue; a negative
 * trace (a layer not at a minimum) counts by its magnitude, as Q-BERT's |mean λ| does.
 *
 * @example
 * ```ts
 * omegaOf({ name: 'q', parameterCount: 4, trace: 8, perturbation: { 4: 0.5 } }, 4); // (8 / 4) * 0.5 = 1
 * ```
 */
export function omegaOf(layer: LayerSensitivity, bits: number): number {
  const perturbation = layer.perturbation[bits];
  if (perturbation === undefined || !Number.isFinite(perturbation) || perturbation < 0) {
    throw new ConfigError(`No perturbation of layer ${layer.name} at ${bits} bits`, {
      expected: `perturbation[${bits}] >= 0 for every bit choice`,
      received: String(perturbation),
    });
  }
  return (Math.abs(layer.trace) / layer.parameterCount) * perturbation;
}

/**
 * Bits per layer minimising the total sensitivity ΣΩ under a size budget: the point of
 * HAWQ-V2's Pareto frontier (ΣΩ against model size) at the budget, found exactly by a
 * multiple-choice knapsack dynamic programme over the budget. Layers with a large
 * trace × perturbation keep high precision; flat layers drop to low bits first. Ties go to the
 * smaller model, then to the earlier bit choice.
 *
 * @example
 * ```ts
 * const plan = allocateBits(layers, { bitChoices: [2, 4, 8], budgetBytes: 60_000 });
 * console.log(plan.layers.map(({ name, bits }) => `${name}: ${bits}`));
 * ```
 */
export function allocateBits(layers: readonly LayerSensitivity[], options: BitAllocationOptions): BitAllocation {
  const parsed = bitAllocationOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid bit allocation options', {
      expected: 'bitChoices: integers in [1, 32], budgetBytes: a positive number, resolution: a positive integer',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  const { budgetBytes, resolution } = parsed.data;
  const bitChoices = [...new Set(parsed.data.bitChoices)].sort((a, b) => a - b);
  if (layers.length === 0) throw new ConfigError('allocateBits needs at least one layer', { expected: 'a non-empty list of layers', received: '[]' });
  const smallest = layers.reduce((sum, layer) => sum + quantizedBytes(layer.parameterCount, bitChoices[0]), 0);
  if (smallest > budgetBytes) {
    throw new ConfigError('The size budget is below the smallest allocation', {
      expected: `budgetBytes >= ${smallest} (every layer at ${bitChoices[0]} bits)`,
      received: String(budgetBytes),
      hint: 'Raise the budget or add a lower bit width to bitChoices',
    });
  }
  const unit = Math.max(1, Math.ceil(budgetBytes / resolution));
  const capacity = Math.floor(budgetBytes / unit);
  const choices = layers.map((layer) =>
    bitChoices.map((bits) => {
      const bytes = quantizedBytes(layer.parameterCount, bits);
      return { bits, bytes, units: Math.ceil(bytes / unit), omega: omegaOf(layer, bits) };
    }),
  );
  // best[u]: least ΣΩ (then least bytes) of the layers so far within u units.
  let best = Array.from({ length: capacity + 1 }, () => ({ omega: 0, bytes: 0 }));
  const picks: Int16Array[] = [];
  for (const options of choices) {
    const next = Array.from({ length: capacity + 1 }, () => ({ omega: Infinity, bytes: Infinity }));
    const pick = new Int16Array(capacity + 1).fill(-1);
    for (let u = 0; u <= capacity; u++) {
      options.forEach((choice, index) => {
        if (choice.units > u) return;
        const previous = best[u - choice.units];
        const omega = previous.omega + choice.omega;
        const bytes = previous.bytes + choice.bytes;
        if (omega < next[u].omega || (omega === next[u].omega && bytes < next[u].bytes)) {
          next[u] = { omega, bytes };
          pick[u] = index;
        }
      });
    }
    picks.push(pick);
    best = next;
  }
  if (!Number.isFinite(best[capacity].omega)) {
    throw new ConfigError('No allocation fits the size budget once rounded to the solver resolution', {
      expected: `a budget comfortably above ${smallest} bytes, or a larger resolution`,
      received: `budgetBytes ${budgetBytes}, resolution ${resolution}`,
    });
  }
  const chosen = new Array<number>(layers.length);
  let remaining = capacity;
  for (let index = layers.length - 1; index >= 0; index--) {
    chosen[index] = picks[index][remaining];
    remaining -= choices[index][chosen[index]].units;
  }
  const allocations = layers.map((layer, index) => {
    const choice = choices[index][chosen[index]];
    return { name: layer.name, parameterCount: layer.parameterCount, trace: layer.trace, bits: choice.bits, bytes: choice.bytes, omega: choice.omega };
  });
  return {
    layers: allocations,
    totalBytes: allocations.reduce((sum, layer) => sum + layer.bytes, 0),
    totalOmega: allocations.reduce((sum, layer) => sum + layer.omega, 0),
    budgetBytes,
    bitChoices,
  };
}
