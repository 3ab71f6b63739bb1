import { compressionReport, exportBundle, readBundle, type CompressionReport, type ExportableModel } from '@pofa/sparse-kernels';
import type { BundleDeployment } from './bundle-deployment';
import type { PatternName } from './prune-ofa-recipe';

/** The packed layouts of a `.pofa` bundle's encoder Linear weights (`--layout`). */
export const BUNDLE_LAYOUTS = ['dense', 'csr', 'block', 'bitmask', 'nm'] as const;

/** One of {@link BUNDLE_LAYOUTS}. */
export type BundleLayout = (typeof BUNDLE_LAYOUTS)[number];

/**
 * The layout that stores a sparsity pattern: unstructured → CSR, 4x1 blocks → `block` [4, 1],
 * 2:4 → `nm`.
 *
 * @example
 * ```ts
 * layoutOf('4x1'); // 'block'
 * ```
 */
export function layoutOf(pattern: PatternName): BundleLayout {
  return pattern === '4x1' ? 'block' : pattern === '2:4' ? 'nm' : 'csr';
}

/** A bundle written by {@link writeModelBundle}: its path, size, and the compression of its encoder Linear weights. */
export interface WrittenBundle {
  path: string;
  fileBytes: number;
  compression: CompressionReport;
}

/**
 * Writes a model as a `.pofa` bundle with `exportBundle` (the encoder Linear weights in `layout`,
 * `block` as 4x1 tiles and `nm` as 2:4; fp32, or int8 per row with the given scales and input
 * ranges), with the tokenizer vocabulary and, when given, the tokenizer settings and the task
 * (`deployment`: what makes the bundle answer text through `pofa serve` or `pipeline()`), then
 * reads it back to report its compression
 * (`compressionReport`: nominal = dense fp32 bytes / (non-zeros × bits / 8), on disk = the bytes of
 * those weights in the file).
 *
 * @example
 * ```ts
 * const { compression } = await writeModelBundle(model, 'out/sparse.pofa', { layout: 'csr', vocab });
 * ```
 */
export async function writeModelBundle(
  model: ExportableModel,
  path: string,
  options: { layout: BundleLayout; int8?: boolean | { scales: Record<string, Float32Array<ArrayBuffer>>; activations: Record<string, [number, number]> }; vocab?: string[]; deployment?: BundleDeployment; metadata?: Record<string, string> },
): Promise<WrittenBundle> {
  const fileBytes = await exportBundle(model, path, {
    format: options.layout,
    block: [4, 1],
    n: 2,
    m: 4,
    int8: options.int8 ?? false,
    ...(options.vocab === undefined ? {} : { tokenizerVocab: options.vocab }),
    ...(options.deployment?.tokenizer === undefined || options.vocab === undefined ? {} : { tokenizer: options.deployment.tokenizer }),
    ...(options.deployment?.task === undefined ? {} : { task: options.deployment.task }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  });
  return { path, fileBytes, compression: compressionReport(await readBundle(path)) };
}
