/** Seeded PRNG (mulberry32) so that failures reproduce. */
export { mulberry32 } from '@roboalign/utils';

/** Standard normal samples by Box-Muller. */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A smooth [horizon, dim] trajectory: a random-phase sum of a few sinusoids per dimension, in about [-1, 1]. */
export function smoothChunk(rand: () => number, horizon: number, dim: number): Float64Array {
  const out = new Float64Array(horizon * dim);
  for (let d = 0; d < dim; d++) {
    const offset = rand() * 1.2 - 0.6;
    for (let h = 1; h <= 3; h++) {
      const amp = (0.4 * rand()) / h;
      const freq = rand() * 1.5 * h;
      const phase = rand() * 2 * Math.PI;
      for (let t = 0; t < horizon; t++) {
        out[t * dim + d] += amp * Math.sin((2 * Math.PI * freq * t) / horizon + phase);
      }
    }
    for (let t = 0; t < horizon; t++) out[t * dim + d] += offset;
  }
  return out;
}
