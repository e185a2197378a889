/** A seeded generator of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a small, fast 32-bit generator, good enough for initialization, sampling and placing
 * objects. The same seed gives the same stream on every platform (integer arithmetic only).
 *
 * @param seed - any number; only its low 32 bits are used.
 * @returns a generator of uniform numbers in [0, 1).
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
