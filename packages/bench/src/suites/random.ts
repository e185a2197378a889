import type { Rng } from '@roboalign/utils';

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** `center ± spread`, uniform. */
export function jitter(rng: Rng, center: number, spread: number): number {
  return center + spread * (2 * rng() - 1);
}

/** A Fisher–Yates shuffled copy. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
