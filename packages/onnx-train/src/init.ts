/** Seeded parameter initializers (mulberry32 + Box-Muller), so runs reproduce. */
import { mulberry32 } from '@roboalign/utils';

/** A seeded uniform generator in [0, 1); re-exported from `@roboalign/utils` for compatibility. */
export { mulberry32 };

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
