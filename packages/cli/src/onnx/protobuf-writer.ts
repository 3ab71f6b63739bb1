const textEncoder = new TextEncoder();

/** Protobuf wire types (the low 3 bits of a field key). */
const WIRE = { varint: 0, fixed32: 5, lengthDelimited: 2 } as const;

/**
 * Appends protobuf fields (proto3 wire format) to a list of chunks; nested messages are other
 * writers, so large payloads (tensor bytes) are copied once, by {@link ProtobufWriter.finish}.
 *
 * @example
 * ```ts
 * const tensor = new ProtobufWriter().int64(1, 3).string(8, 'bias');
 * const bytes = new ProtobufWriter().message(5, tensor).finish();
 * ```
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** The number of bytes written so far. */
  get byteLength(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
    return this;
  }

  private varint(value: number | bigint): this {
    // Negative int64 values are written as their 64-bit two's complement (10 bytes).
    let rest = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (rest >= 0x80n) {
      out.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    out.push(Number(rest));
    return this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** An int32, int64 or enum field (any safe integer or bigint; negatives as 10-byte varints). */
  int64(field: number, value: number | bigint): this {
    return this.key(field, WIRE.varint).varint(value);
  }

  /** A float field (little-endian float32). */
  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.key(field, WIRE.fixed32).push(bytes);
  }

  /** A bytes field; the bytes are referenced, not copied, until {@link ProtobufWriter.finish}. */
  bytes(field: number, bytes: Uint8Array): this {
    return this.key(field, WIRE.lengthDelimited).varint(bytes.byteLength).push(bytes);
  }

  /** A string field (UTF-8). */
  string(field: number, text: string): this {
    return this.bytes(field, textEncoder.encode(text));
  }

  /** An embedded message field. */
  message(field: number, message: ProtobufWriter): this {
    this.key(field, WIRE.lengthDelimited).varint(message.size);
    for (const chunk of message.chunks) this.push(chunk);
    return this;
  }

  /** The encoded bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
