import { SEGMENT_ALIGNMENT, type Segment } from './bundle-header';

/**
 * Collects the binary segments of a bundle's data section, each starting at a multiple of
 * {@link SEGMENT_ALIGNMENT} bytes, and hands out their `{ offset, length }`.
 *
 * @example
 * ```ts
 * const sink = new SegmentSink();
 * const segment = sink.add(new Uint8Array([1, 2, 3])); // { offset: 0, length: 3 }
 * const data = sink.concat(); // 3 bytes (the last segment is not padded)
 * ```
 */
export class SegmentSink {
  private readonly parts: Array<{ offset: number; bytes: Uint8Array }> = [];
  private size = 0;

  /** Appends a copy-free reference to `bytes`; they must not change before {@link concat}. */
  add(bytes: Uint8Array): Segment {
    const offset = Math.ceil(this.size / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
    this.parts.push({ offset, bytes });
    this.size = offset + bytes.length;
    return { offset, length: bytes.length };
  }

  /** Bytes of the data section so far. */
  get length(): number {
    return this.size;
  }

  /** Writes every segment into `target` at `start` (which must have room for {@link length} bytes). */
  copyInto(target: Uint8Array, start: number): void {
    for (const part of this.parts) target.set(part.bytes, start + part.offset);
  }
}

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(array: Float32Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
