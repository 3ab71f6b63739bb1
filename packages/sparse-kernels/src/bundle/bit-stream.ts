import { BundleError } from './bundle-error';

/**
 * Writes bits least-significant first into a growing byte buffer (the order DEFLATE uses).
 *
 * @example
 * ```ts
 * const writer = new BitWriter();
 * writer.write(5, 3); // bits 1, 0, 1
 * const bytes = writer.finish(); // Uint8Array [5]
 * ```
 */
export class BitWriter {
  private bytes: Uint8Array;
  private bitLength = 0;

  constructor(expectedBytes = 1024) {
    this.bytes = new Uint8Array(Math.max(16, expectedBytes));
  }

  /** Number of bits written so far. */
  get length(): number {
    return this.bitLength;
  }

  /** Appends the low `count` bits of `value` (count ≤ 24), lowest first. */
  write(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.bit((value >>> i) & 1);
  }

  /** Appends `count` one bits then a zero bit (a unary number). */
  unary(count: number): void {
    for (let i = 0; i < count; i++) this.bit(1);
    this.bit(0);
  }

  /** Appends one bit. */
  bit(value: number): void {
    const byte = this.bitLength >>> 3;
    if (byte >= this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    if (value) this.bytes[byte] |= 1 << (this.bitLength & 7);
    this.bitLength++;
  }

  /** The bytes written, the last one zero-padded. */
  finish(): Uint8Array {
    return this.bytes.slice(0, Math.ceil(this.bitLength / 8));
  }
}

/**
 * Reads what {@link BitWriter} wrote; reading past the end is a {@link BundleError} naming
 * `what` (so a corrupted stream never reads outside its bytes).
 *
 * @example
 * ```ts
 * const reader = new BitReader(new Uint8Array([5]), 'example');
 * reader.read(3); // 5
 * ```
 */
export class BitReader {
  private position = 0;
  private readonly bitLength: number;

  constructor(private readonly bytes: Uint8Array, private readonly what: string) {
    this.bitLength = bytes.length * 8;
  }

  /** Number of bits consumed. */
  get consumed(): number {
    return this.position;
  }

  /** Reads one bit. */
  bit(): number {
    if (this.position >= this.bitLength) this.fail();
    const value = (this.bytes[this.position >>> 3] >>> (this.position & 7)) & 1;
    this.position++;
    return value;
  }

  /** Reads `count` bits (≤ 24), lowest first. */
  read(count: number): number {
    if (this.position + count > this.bitLength) this.fail();
    let value = 0;
    for (let i = 0; i < count; i++) {
      value |= ((this.bytes[this.position >>> 3] >>> (this.position & 7)) & 1) << i;
      this.position++;
    }
    return value >>> 0;
  }

  /** Reads a unary number (ones up to a zero); at most `limit` ones, else a BundleError. */
  unary(limit: number): number {
    let count = 0;
    while (this.bit() === 1) {
      count++;
      if (count > limit) {
        throw new BundleError(`Corrupted ${this.what}: a run is longer than the tensor`, {
          expected: `at most ${limit}`,
          received: `more than ${limit}`,
        });
      }
    }
    return count;
  }

  /** Checks that only the zero padding of the last byte is left. */
  expectEnd(): void {
    const padding = this.bitLength - this.position;
    if (padding >= 8) {
      throw new BundleError(`Corrupted ${this.what}: bytes left over after decoding`, {
        expected: `${Math.ceil(this.position / 8)} bytes`,
        received: `${this.bytes.length} bytes`,
      });
    }
  }

  private fail(): never {
    throw new BundleError(`Truncated ${this.what}`, {
      expected: 'more bits',
      received: `the end of the ${this.bytes.length}-byte stream`,
      hint: 'The file is truncated or corrupted; export the bundle again',
    });
  }
}
