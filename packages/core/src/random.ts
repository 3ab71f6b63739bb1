import { ConfigError } from './errors/config-error';

/** The state of a {@link Random}, a plain array of four uint32 values (JSON-serialisable). */
export type RandomState = [number, number, number, number];

/**
 * A seeded random number generator (xoshiro128**) whose whole state can be saved and
 * restored, so that a resumed run draws the same numbers as an uninterrupted one.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * const saved = random.state();
 * const a = random.next();
 * random.setState(saved);
 * console.log(random.next() === a); // true
 * ```
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  int(bound: number): number;
  /** A 31-bit seed for another generator (tfjs ops that take a `seed`). */
  seed(): number;
  /** A standard normal sample (Box-Muller: two `next()` draws). */
  normal(): number;
  /** Advances the generator as `count` calls of `next()` would, without computing them. */
  skip(count: number): void;
  /** Fisher-Yates shuffle of `items`, in place; returns `items`. */
  shuffle<T>(items: T[]): T[];
  state(): RandomState;
  setState(state: RandomState): void;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a {@link Random} from an integer seed. */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new ConfigError('Invalid random seed', { expected: 'an integer', received: String(seed) });
  }
  const init = splitmix32(seed);
  // The state lives in a typed array updated in place: no allocation per draw.
  const s = Uint32Array.of(init(), init(), init(), init());
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const random: Random = {
    next: () => nextUint32() / 4294967296,
    int: (bound) => Math.floor((nextUint32() / 4294967296) * bound),
    seed: () => nextUint32() >>> 1,
    normal: () => {
      const u = 1 - random.next();
      const v = random.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    skip: (count) => {
      let s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
      for (let i = 0; i < count; i++) {
        const t = (s1 << 9) >>> 0;
        s2 = (s2 ^ s0) >>> 0;
        s3 = (s3 ^ s1) >>> 0;
        s1 = (s1 ^ s2) >>> 0;
        s0 = (s0 ^ s3) >>> 0;
        s2 = (s2 ^ t) >>> 0;
        s3 = ((s3 << 11) | (s3 >>> 21)) >>> 0;
      }
      s[0] = s0;
      s[1] = s1;
      s[2] = s2;
      s[3] = s3;
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    state: () => [s[0], s[1], s[2], s[3]] as RandomState,
    setState: (state) => {
      if (!Array.isArray(state) || state.length !== 4 || state.some((v) => !Number.isInteger(v))) {
        throw new ConfigError('Invalid random state', { expected: 'four uint32 integers', received: JSON.stringify(state) });
      }
      s.set([state[0] >>> 0, state[1] >>> 0, state[2] >>> 0, state[3] >>> 0]);
    },
  };
  return random;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
