/** Seeded parameter initializers (mulberry32 + Box-Muller), so runs reproduce. */
/** A seeded uniform generator in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot/Xavier). */
export function xavierUniform(size: number, fanIn: number, fanOut: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: size }, () => (2 * rand() - 1) * bound);
}

/** Normal with the given standard deviation. */
export function normalInit(size: number, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from(
    { length: size },
    () => std * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
  );
}
